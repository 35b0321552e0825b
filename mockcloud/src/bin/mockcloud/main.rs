//! `mockcloud serve`: run the mock cloud on a socket.
//!
//! Exit codes: 0 clean shutdown, 2 usage error (clap), 3 invalid configuration or
//! scenario, 4 cannot bind, 5 cannot write clouds.yaml, the state file or a man page,
//! 6 unknown `--nova-release`, 7 unusable `--state-file` (unreadable, invalid, foreign or
//! of a newer schema: left as it is), 1 anything else.

mod bench;

// As nova-conform's: glibc's malloc under tokio's worker threads was a third of the CPU a
// request costs; mimalloc's per-thread heaps cut it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use mockcloud::{Durations, Lifecycle, MockCloud, Profile};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "mockcloud",
    version = mockcloud::build_info::MOCKCLOUD_LONG_VERSION.as_str(),
    about = "A stateful mock OpenStack cloud (Keystone v3 + Nova v2.1)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum ProfileArg {
    Nova,
    PikeSpec,
}

#[derive(Clone, Copy, ValueEnum)]
enum LifecycleArg {
    Instant,
    Timed,
    Manual,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the mock until SIGINT/SIGTERM.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8774")]
        bind: SocketAddr,
        #[arg(long, value_enum, default_value = "nova")]
        profile: ProfileArg,
        /// Behave like this Nova series (id `2025.1`, codename `epoxy` or Nova version
        /// `31.3.1`; see fixtures/releases.toml): its max microversion, policies and
        /// messages. Default: the newest series of the table.
        #[arg(long)]
        nova_release: Option<String>,
        #[arg(long, default_value = "2.1")]
        min_version: String,
        /// The advertised maximum (default: the series' max microversion).
        #[arg(long)]
        max_version: Option<String>,
        /// Comma-separated compute host names.
        #[arg(
            long,
            default_value = "compute1,compute2,compute3",
            value_delimiter = ','
        )]
        hosts: Vec<String>,
        #[arg(long, value_enum, default_value = "instant")]
        lifecycle: LifecycleArg,
        /// Step duration in timed mode, in milliseconds.
        #[arg(long, default_value_t = 200)]
        step_ms: u64,
        /// Auto-confirm resizes after this many seconds (0 = off).
        #[arg(long, default_value_t = 0)]
        resize_confirm_window: u64,
        /// Write a clouds.yaml for the seeded users here.
        #[arg(long)]
        clouds_yaml: Option<PathBuf>,
        /// Seed users, projects and hosts from a scenario file (YAML or TOML).
        #[arg(long)]
        scenario: Option<PathBuf>,
        /// Keep the state in this file: loaded at start if it exists (else the seeded state),
        /// saved on a clean shutdown (SIGINT/SIGTERM), atomically. A file that cannot be
        /// loaded stops the start with exit 7 and is left as it is. No secrets are saved:
        /// users keep this run's passwords (the --clouds-yaml written at start).
        #[arg(long, value_name = "FILE")]
        state_file: Option<PathBuf>,
    },
    /// Measure requests/s (mock vs a bare hyper server) and memory for N servers.
    Bench {
        /// Seconds per measurement.
        #[arg(long, default_value_t = 5)]
        seconds: u64,
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
        /// Servers to insert for the memory figure.
        #[arg(long, default_value_t = 100_000)]
        servers: usize,
    },
    /// Print the shell completion script (bash, zsh, fish, elvish, powershell) on stdout.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Man pages: without --out the mockcloud page on stdout; with --out DIR, mockcloud.1 and
    /// one page per subcommand (mockcloud-serve.1, ...) written into DIR.
    Man {
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
}

/// The EXIT STATUS sections of the man pages (the codes of `CliError::exit_code` and clap's 2).
const EXIT_CODES: mockcloud::clidocs::ExitCodeTable = &[
    (
        "mockcloud",
        &[
            (0, "success (serve: a clean shutdown on SIGINT or SIGTERM)"),
            (1, "anything else (e.g. the async runtime cannot start, standard output cannot be written)"),
            (2, "usage error (bad flag or value)"),
        ],
    ),
    (
        "mockcloud-serve",
        &[
            (0, "clean shutdown on SIGINT or SIGTERM (the --state-file saved, if given)"),
            (1, "anything else (e.g. the async runtime cannot start)"),
            (2, "usage error (bad flag or value)"),
            (3, "invalid configuration or --scenario file"),
            (4, "cannot bind --bind"),
            (5, "cannot write --clouds-yaml or save --state-file"),
            (6, "unknown --nova-release"),
            (7, "unusable --state-file: unreadable, not a mockcloud state, of a newer schema, invalid, or saved by a mock of another profile, release or microversion range (the file is left as it is)"),
        ],
    ),
    (
        "mockcloud-bench",
        &[
            (0, "the figures were printed"),
            (1, "the async runtime cannot start"),
            (2, "usage error (bad flag or value)"),
            (3, "the benchmark could not run against its own mock (e.g. cannot authenticate)"),
            (4, "cannot bind the mock or the bare server"),
        ],
    ),
    (
        "mockcloud-completions",
        &[(0, "the script was printed"), (2, "usage error (unknown shell)")],
    ),
    (
        "mockcloud-man",
        &[
            (0, "the pages were written"),
            (2, "usage error (bad flag)"),
            (5, "cannot write into --out"),
        ],
    ),
];

#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error(transparent)]
    Mock(#[from] mockcloud::Error),
    #[error("cannot start the runtime: {0}")]
    Runtime(std::io::Error),
    /// The --state-file exists but cannot be read.
    #[error("cannot read the state file {path}: {source}")]
    StateRead {
        path: String,
        source: std::io::Error,
    },
}

impl CliError {
    fn exit_code(&self) -> u8 {
        match self {
            CliError::Mock(mockcloud::Error::Config(_) | mockcloud::Error::Scenario { .. }) => 3,
            CliError::Mock(mockcloud::Error::Bind { .. }) => 4,
            CliError::Mock(mockcloud::Error::Write { .. }) => 5,
            CliError::Mock(mockcloud::Error::UnknownRelease(_)) => 6,
            CliError::Mock(mockcloud::Error::State { .. }) | CliError::StateRead { .. } => 7,
            CliError::Runtime(_) => 1,
        }
    }
}

/// Install the SIGINT/SIGTERM handlers now (before READY is printed, so a signal
/// sent right after READY is never lost to the default action), and return a
/// future that resolves on the first of them.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let int = signal(SignalKind::interrupt());
        let term = signal(SignalKind::terminate());
        async move {
            match (int, term) {
                (Ok(mut i), Ok(mut t)) => {
                    tokio::select! {
                        _ = i.recv() => {}
                        _ = t.recv() => {}
                    }
                }
                _ => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

async fn bench(seconds: u64, concurrency: usize, servers: usize) -> Result<(), CliError> {
    let opts = bench::BenchOptions {
        duration: Duration::from_secs(seconds.max(1)),
        concurrency: concurrency.max(1),
        servers_for_memory: servers,
    };
    mockcloud::outln!("mockcloud bench: {}s per figure, {} concurrent clients (client and server share this machine)", opts.duration.as_secs(), opts.concurrency);
    let (figures, mem) = bench::run(&opts).await?;
    let bare = figures.first().map(|f| f.per_second).unwrap_or(0.0);
    for f in &figures {
        let ratio = if f.per_second > 0.0 {
            bare / f.per_second
        } else {
            f64::INFINITY
        };
        mockcloud::outln!(
            "{:<40} {:>10.0} req/s  ({} ok, {} errors, bare/this = {:.2}x)",
            f.name,
            f.per_second,
            f.requests,
            f.errors,
            ratio
        );
    }
    match mem {
        Some(kib) => mockcloud::outln!(
            "memory for {servers} servers: {:.1} MiB RSS growth ({:.0} bytes/server)",
            kib as f64 / 1024.0,
            (kib * 1024) as f64 / servers.max(1) as f64
        ),
        None => {
            mockcloud::outln!("memory for {servers} servers: unavailable (no /proc/self/status)")
        }
    }
    Ok(())
}

async fn run(cmd: Command) -> Result<(), CliError> {
    match cmd {
        Command::Bench {
            seconds,
            concurrency,
            servers,
        } => bench(seconds, concurrency, servers).await,
        serve_cmd @ Command::Serve { .. } => serve(serve_cmd).await,
        Command::Completions { shell } => {
            mockcloud::stdout::write_bytes(&mockcloud::clidocs::completions(Cli::command(), shell));
            Ok(())
        }
        Command::Man { out } => man(out.as_deref()),
    }
}

fn man(out: Option<&std::path::Path>) -> Result<(), CliError> {
    let date = mockcloud::clidocs::commit_date();
    let write_err = |path: &std::path::Path, source| {
        CliError::Mock(mockcloud::Error::Write {
            path: path.display().to_string(),
            source,
        })
    };
    match out {
        None => {
            use std::io::Write;
            let pages = mockcloud::clidocs::man_pages(Cli::command(), date, EXIT_CODES)
                .map_err(|e| write_err(std::path::Path::new("-"), e))?;
            let page = pages.first().map(|p| p.roff.as_slice()).unwrap_or_default();
            std::io::stdout()
                .write_all(page)
                .map_err(|e| write_err(std::path::Path::new("-"), e))
        }
        Some(dir) => {
            let paths = mockcloud::clidocs::write_man_pages(Cli::command(), date, EXIT_CODES, dir)
                .map_err(|e| write_err(dir, e))?;
            for p in paths {
                mockcloud::outln!("{}", p.display());
            }
            Ok(())
        }
    }
}

/// The state of `--state-file` at start: `None` when the file does not exist yet.
fn read_state_file(path: &std::path::Path) -> Result<Option<mockcloud::Snapshot>, CliError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(CliError::StateRead {
                path: path.display().to_string(),
                source,
            })
        }
    };
    mockcloud::parse_snapshot(&bytes)
        .map(Some)
        .map_err(|source| {
            CliError::Mock(mockcloud::Error::State {
                origin: path.display().to_string(),
                source,
            })
        })
}

/// Replace `path` by `bytes` so that a crash at any point leaves either the old file or the
/// new one, never a part: a temporary file in the same directory (a rename is atomic only
/// within one file system), flushed to disk, then renamed over `path`, and the directory
/// flushed so the rename itself survives a power loss.
fn write_atomic(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "state".into());
    let tmp = dir.join(format!(".{name}.tmp.{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)?;
        #[cfg(unix)]
        std::fs::File::open(&dir)?.sync_all()?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

async fn serve(cmd: Command) -> Result<(), CliError> {
    let Command::Serve {
        bind,
        profile,
        nova_release,
        min_version,
        max_version,
        hosts,
        lifecycle,
        step_ms,
        resize_confirm_window,
        clouds_yaml,
        scenario,
        state_file,
    } = cmd
    else {
        return Ok(());
    };
    let table = nova_releases::ReleaseTable::bundled();
    let series = match &nova_release {
        Some(name) => table
            .get(name)
            .map_err(|e| CliError::Mock(mockcloud::Error::UnknownRelease(e)))?,
        None => table.newest(),
    };
    let max_version = max_version.unwrap_or_else(|| series.max_microversion.to_string());
    let mut b = MockCloud::builder()
        .bind(bind)
        .profile(match profile {
            ProfileArg::Nova => Profile::Nova,
            ProfileArg::PikeSpec => Profile::PikeSpec,
        })
        .nova_release(&series.id)
        .microversions(&min_version, &max_version)
        .hosts(
            hosts
                .into_iter()
                .map(|h| h.trim().to_string())
                .filter(|h| !h.is_empty()),
        )
        .lifecycle(match lifecycle {
            LifecycleArg::Instant => Lifecycle::Instant,
            LifecycleArg::Timed => {
                Lifecycle::Timed(Durations::uniform(Duration::from_millis(step_ms)))
            }
            LifecycleArg::Manual => Lifecycle::Manual,
        });
    if resize_confirm_window > 0 {
        b = b.resize_confirm_window(Duration::from_secs(resize_confirm_window));
    }
    if let Some(path) = scenario {
        b = b.seed(mockcloud::load_scenario(&path)?);
    }
    let mut state_note = None;
    if let Some(path) = &state_file {
        // Refuse now, not after a whole session, a file that could never be saved.
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
        if let Some(dir) = dir.filter(|d| !d.is_dir()) {
            return Err(CliError::Mock(mockcloud::Error::Write {
                path: path.display().to_string(),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    format!("no directory {}", dir.display()),
                ),
            }));
        }
        match read_state_file(path)? {
            Some(doc) => {
                state_note = Some(format!(
                    "state: loaded {} ({} servers, {} migrations)",
                    path.display(),
                    doc.servers.len(),
                    doc.migrations.len()
                ));
                b = b.state(path.display().to_string(), doc);
            }
            None => {
                state_note = Some(format!(
                    "state: {} does not exist yet: the seeded state, saved there on shutdown",
                    path.display()
                ))
            }
        }
    }
    let cloud = b.start().await?;
    if let Some(path) = clouds_yaml {
        write_private(&path, &cloud.clouds_yaml()).map_err(|source| mockcloud::Error::Write {
            path: path.display().to_string(),
            source,
        })?;
        mockcloud::outln!("clouds.yaml: {}", path.display());
    }
    let stop = shutdown_signal();
    mockcloud::outln!(
        "nova release: {}: Nova {}, microversions {min_version} to {max_version}",
        series.label(),
        series.verified
    );
    mockcloud::outln!("identity: {}", cloud.auth_url());
    mockcloud::outln!("compute: {}", cloud.compute_url());
    if let Some(note) = state_note {
        mockcloud::outln!("{note}");
    }
    mockcloud::outln!("READY");
    stop.await;
    let state = cloud.state().clone();
    // Stop serving first, so that no request changes the state after it was saved.
    cloud.shutdown().await;
    if let Some(path) = &state_file {
        let doc = state.export();
        write_atomic(path, &mockcloud::snapshot_to_json(&doc)).map_err(|source| {
            mockcloud::Error::Write {
                path: path.display().to_string(),
                source,
            }
        })?;
        mockcloud::outln!(
            "state: saved {} ({} servers, {} migrations)",
            path.display(),
            doc.servers.len(),
            doc.migrations.len()
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(CliError::Runtime)
        .and_then(|rt| rt.block_on(run(cli.command)));
    match result {
        // Output lost to a failed write (not a departed reader): not a success.
        Ok(()) if mockcloud::stdout::write_failed() => ExitCode::from(1),
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mockcloud: error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// Writes a file only its owner can read: clouds.yaml holds passwords (as openstackclient's
/// own files should). An existing file is truncated and its mode tightened too.
fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let mut file = options.open(path)?;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        file.write_all(contents.as_bytes())
    }
    #[cfg(not(unix))]
    {
        options.open(path)?.write_all(contents.as_bytes())
    }
}
