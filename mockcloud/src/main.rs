//! `mockcloud serve`: run the mock cloud on a socket.
//!
//! Exit codes: 0 clean shutdown, 2 usage error (clap), 3 invalid configuration or
//! scenario, 4 cannot bind, 5 cannot write clouds.yaml, 6 unknown `--nova-release`,
//! 1 anything else.

use clap::{Parser, Subcommand, ValueEnum};
use mockcloud::{Durations, Lifecycle, MockCloud, Profile};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "mockcloud",
    version,
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
}

#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error(transparent)]
    Mock(#[from] mockcloud::Error),
    #[error("cannot start the runtime: {0}")]
    Runtime(std::io::Error),
}

impl CliError {
    fn exit_code(&self) -> u8 {
        match self {
            CliError::Mock(mockcloud::Error::Config(_) | mockcloud::Error::Scenario { .. }) => 3,
            CliError::Mock(mockcloud::Error::Bind { .. }) => 4,
            CliError::Mock(mockcloud::Error::Write { .. }) => 5,
            CliError::Mock(mockcloud::Error::UnknownRelease(_)) => 6,
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
    let opts = mockcloud::bench::BenchOptions {
        duration: Duration::from_secs(seconds.max(1)),
        concurrency: concurrency.max(1),
        servers_for_memory: servers,
    };
    println!("mockcloud bench: {}s per figure, {} concurrent clients (client and server share this machine)", opts.duration.as_secs(), opts.concurrency);
    let (figures, mem) = mockcloud::bench::run(&opts).await?;
    let bare = figures.first().map(|f| f.per_second).unwrap_or(0.0);
    for f in &figures {
        let ratio = if f.per_second > 0.0 {
            bare / f.per_second
        } else {
            f64::INFINITY
        };
        println!(
            "{:<40} {:>10.0} req/s  ({} ok, {} errors, bare/this = {:.2}x)",
            f.name, f.per_second, f.requests, f.errors, ratio
        );
    }
    match mem {
        Some(kib) => println!(
            "memory for {servers} servers: {:.1} MiB RSS growth ({:.0} bytes/server)",
            kib as f64 / 1024.0,
            (kib * 1024) as f64 / servers.max(1) as f64
        ),
        None => println!("memory for {servers} servers: unavailable (no /proc/self/status)"),
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
    }
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
        b = b.seed(mockcloud::scenario::load(&path)?);
    }
    let cloud = b.start().await?;
    if let Some(path) = clouds_yaml {
        write_private(&path, &cloud.clouds_yaml()).map_err(|source| mockcloud::Error::Write {
            path: path.display().to_string(),
            source,
        })?;
        println!("clouds.yaml: {}", path.display());
    }
    let stop = shutdown_signal();
    println!(
        "nova release: {}: Nova {}, microversions {min_version} to {max_version}",
        series.label(),
        series.verified
    );
    println!("identity: {}", cloud.auth_url());
    println!("compute: {}", cloud.compute_url());
    println!("READY");
    stop.await;
    cloud.shutdown().await;
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
