//! Microversion negotiation exactly as Nova's `Request.set_api_version_request`
//! with `microversion_parse.get_version`:
//! `OpenStack-API-Version: compute X.Y` wins (last matching entry of a
//! comma-separated list), else the legacy `X-OpenStack-Nova-API-Version` (last
//! comma-separated value), else 2.1; `latest` is the maximum; the value must match
//! `^([1-9]\d*)\.([1-9]\d*|0)$` (400) and lie within [min, max] (406).

use axum::http::HeaderMap;
use std::fmt;

/// A microversion `major.minor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    pub major: u16,
    pub minor: u16,
}

impl Version {
    pub const fn new(major: u16, minor: u16) -> Self {
        Self { major, minor }
    }

    /// Parse with Nova's regex; None when the format is invalid.
    pub fn parse(s: &str) -> Option<Self> {
        let (maj, min) = s.split_once('.')?;
        let valid_major =
            !maj.is_empty() && maj.bytes().all(|b| b.is_ascii_digit()) && !maj.starts_with('0');
        let valid_minor = min == "0"
            || (!min.is_empty()
                && min.bytes().all(|b| b.is_ascii_digit())
                && !min.starts_with('0'));
        if !valid_major || !valid_minor {
            return None;
        }
        // Python ints are unbounded; a number too large for u16 is simply out of range.
        let major = maj
            .parse::<u32>()
            .unwrap_or(u32::MAX)
            .min(u32::from(u16::MAX)) as u16;
        let minor = min
            .parse::<u32>()
            .unwrap_or(u32::MAX)
            .min(u32::from(u16::MAX)) as u16;
        Some(Self { major, minor })
    }

    /// `req.is_supported(min)` for a 2.x version.
    pub fn at_least(self, minor: u16) -> bool {
        self >= Version::new(2, minor)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl std::str::FromStr for Version {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Version::parse(s).ok_or_else(|| format!("invalid microversion '{s}' (expected X.Y)"))
    }
}

/// Why negotiation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum VersionError {
    /// 400: no version headers are echoed.
    InvalidFormat(String),
    /// 406: the requested version is echoed in the response headers.
    OutOfRange { requested: Version, message: String },
}

fn header_values(headers: &HeaderMap, name: &str) -> Option<String> {
    // WSGI hands header values over as latin-1 strings; microversion_parse folds
    // repeated headers with ','.
    let vals: Vec<String> = headers
        .get_all(name)
        .iter()
        .map(|v| {
            v.as_bytes()
                .iter()
                .map(|b| char::from(*b))
                .collect::<String>()
                .trim()
                .to_string()
        })
        .collect();
    if vals.is_empty() {
        None
    } else {
        Some(vals.join(","))
    }
}

/// The raw version string a request asks for, if any.
pub(crate) fn requested(headers: &HeaderMap) -> Option<String> {
    if let Some(std) = header_values(headers, "openstack-api-version") {
        for item in std.split(',').rev() {
            let mut parts = item.trim().splitn(2, char::is_whitespace);
            if let (Some(service), Some(version)) = (parts.next(), parts.next()) {
                if service.eq_ignore_ascii_case("compute") {
                    let v = version.trim();
                    if !v.is_empty() {
                        return Some(v.to_string());
                    }
                }
            }
        }
    }
    let legacy = header_values(headers, "x-openstack-nova-api-version")?;
    let v = legacy.rsplit(',').next().unwrap_or("").trim().to_string();
    if v.is_empty() {
        None
    } else {
        Some(v)
    }
}

/// Negotiate the version of a request.
pub(crate) fn negotiate(
    headers: &HeaderMap,
    min: Version,
    max: Version,
) -> Result<Version, VersionError> {
    let Some(raw) = requested(headers) else {
        return Ok(Version::new(2, 1));
    };
    if raw == "latest" {
        return Ok(max);
    }
    let v = Version::parse(&raw).ok_or_else(|| {
        VersionError::InvalidFormat(format!(
            "API Version String {raw} is of invalid format. Must be of format MajorNum.MinorNum."
        ))
    })?;
    if v < min || v > max {
        return Err(VersionError::OutOfRange {
            requested: v,
            message: format!(
                "Version {v} is not supported by the API. Minimum is {min} and maximum is {max}."
            ),
        });
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn h(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.append(*k, HeaderValue::from_static(v));
        }
        m
    }

    const MIN: Version = Version::new(2, 1);
    const MAX: Version = Version::new(2, 104);

    #[test]
    fn negotiation_rules() {
        assert_eq!(negotiate(&h(&[]), MIN, MAX), Ok(Version::new(2, 1)));
        assert_eq!(
            negotiate(&h(&[("openstack-api-version", "compute 2.56")]), MIN, MAX),
            Ok(Version::new(2, 56))
        );
        assert_eq!(
            negotiate(
                &h(&[
                    ("openstack-api-version", "compute 2.60"),
                    ("x-openstack-nova-api-version", "2.10")
                ]),
                MIN,
                MAX
            ),
            Ok(Version::new(2, 60))
        );
        assert_eq!(
            negotiate(&h(&[("x-openstack-nova-api-version", "2.10")]), MIN, MAX),
            Ok(Version::new(2, 10))
        );
        assert_eq!(
            negotiate(&h(&[("openstack-api-version", "volume 3.1")]), MIN, MAX),
            Ok(Version::new(2, 1))
        );
        assert_eq!(
            negotiate(&h(&[("openstack-api-version", "compute latest")]), MIN, MAX),
            Ok(MAX)
        );
        assert_eq!(
            negotiate(
                &h(&[("openstack-api-version", "volume 3.1, compute 2.20")]),
                MIN,
                MAX
            ),
            Ok(Version::new(2, 20))
        );
        assert!(matches!(
            negotiate(&h(&[("openstack-api-version", "compute 2.05")]), MIN, MAX),
            Err(VersionError::InvalidFormat(_))
        ));
        assert!(matches!(
            negotiate(&h(&[("openstack-api-version", "compute 2")]), MIN, MAX),
            Err(VersionError::InvalidFormat(_))
        ));
        match negotiate(&h(&[("openstack-api-version", "compute 2.200")]), MIN, MAX) {
            Err(VersionError::OutOfRange { message, .. }) => {
                assert_eq!(message, "Version 2.200 is not supported by the API. Minimum is 2.1 and maximum is 2.104.")
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(matches!(
            negotiate(&h(&[("openstack-api-version", "compute 3.0")]), MIN, MAX),
            Err(VersionError::OutOfRange { .. })
        ));
    }
}
#[cfg(test)]
mod format_tests {
    use super::*;

    // Nova's `^([1-9]\d*)\.([1-9]\d*|0)$`: a major that is empty, not all digits or has a
    // leading zero is a 400 (invalid format), never read as a number (which would make it a
    // 406). Found by cargo-mutants (CONTRIBUTING.md, "Mutation testing").
    #[test]
    fn a_major_outside_novas_pattern_is_invalid() {
        for bad in [".1", "x.1", "1x.1", "02.1", "0.1", "2.x", "2.01", "2."] {
            assert_eq!(Version::parse(bad), None, "{bad}");
        }
        assert_eq!(Version::parse("10.0"), Some(Version::new(10, 0)));
        assert_eq!(Version::parse("2.104"), Some(Version::new(2, 104)));
    }
}

#[cfg(test)]
mod latin1_tests {
    use super::*;
    #[test]
    fn latin1_header_is_invalid_format() {
        let mut m = HeaderMap::new();
        m.insert(
            "openstack-api-version",
            axum::http::HeaderValue::from_bytes(b"compute \xc3\xa9").unwrap(),
        );
        assert_eq!(requested(&m).as_deref(), Some("\u{c3}\u{a9}"));
        assert!(matches!(
            negotiate(&m, Version::new(2, 1), Version::new(2, 104)),
            Err(VersionError::InvalidFormat(_))
        ));
    }
}
