/// The base address of another TCRM instance (`https://tcrm.capnuocgiadinh.vn`,
/// `http://10.0.0.5:8080/tcrm`): where its `/apiv1/…` lives.
///
/// Only `http://` or `https://` and a host, an optional port and path — no
/// spaces anywhere (a pasted trailing space would break every call), no
/// credentials (the password is kept sealed, apart), no query or fragment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseUrl(String);

/// Why an address was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BaseUrlError {
    #[error("the address contains spaces")]
    Spaces,
    #[error("the address must start with http:// or https://")]
    Scheme,
    #[error("the address needs a valid host (and port) after the scheme")]
    Host,
    #[error("the address must not carry credentials, a query or a fragment")]
    Extra,
    #[error("the address is too long")]
    TooLong,
}

/// Longer than any real base address; keeps the column and the log lines small.
const MAX_CHARS: usize = 300;

impl BaseUrl {
    pub fn parse(input: &str) -> Result<BaseUrl, BaseUrlError> {
        if input.chars().count() > MAX_CHARS {
            return Err(BaseUrlError::TooLong);
        }
        if input.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(BaseUrlError::Spaces);
        }
        let lower = input.to_ascii_lowercase();
        let rest = if lower.starts_with("https://") {
            &input["https://".len()..]
        } else if lower.starts_with("http://") {
            &input["http://".len()..]
        } else {
            return Err(BaseUrlError::Scheme);
        };
        if rest.contains(['?', '#', '@']) {
            return Err(BaseUrlError::Extra);
        }
        let authority = rest.split('/').next().unwrap_or_default();
        if !valid_authority(authority) {
            return Err(BaseUrlError::Host);
        }
        Ok(BaseUrl(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `host`, `host:port` or `[ipv6]:port`; a host is dot-separated labels of
/// letters, digits and hyphens (an IPv4 address is such a name too).
fn valid_authority(authority: &str) -> bool {
    let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
        let Some((inside, after)) = bracketed.split_once(']') else {
            return false;
        };
        if inside.is_empty() || !inside.chars().all(|c| c.is_ascii_hexdigit() || c == ':') {
            return false;
        }
        match after {
            "" => return true,
            _ => match after.strip_prefix(':') {
                Some(port) => ("ipv6", Some(port)),
                None => return false,
            },
        }
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let port_ok = port.is_none_or(|port| {
        !port.is_empty()
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u16>().is_ok_and(|port| port > 0)
    });
    let host_ok = !host.is_empty()
        && host.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    port_ok && host_ok
}

impl std::fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_http_and_https_base_addresses() {
        for good in [
            "https://tcrm.capnuocgiadinh.vn",
            "https://tcrm.capnuocgiadinh.vn/",
            "http://10.0.0.5:8080/tcrm",
            "HTTPS://Example.vn",
            "http://localhost:3000",
            "http://[::1]:8080",
        ] {
            assert_eq!(
                BaseUrl::parse(good).map(|url| url.to_string()),
                Ok(good.to_owned()),
                "{good}"
            );
        }
    }

    #[test]
    fn refuses_what_would_break_a_call_with_the_reason() {
        for (bad, reason) in [
            ("https://tcrm.vn ", BaseUrlError::Spaces),
            (" https://tcrm.vn", BaseUrlError::Spaces),
            ("https://tcrm .vn", BaseUrlError::Spaces),
            ("https://tcrm.vn\t", BaseUrlError::Spaces),
            ("tcrm.capnuocgiadinh.vn", BaseUrlError::Scheme),
            ("ftp://tcrm.vn", BaseUrlError::Scheme),
            ("https//tcrm.vn", BaseUrlError::Scheme),
            ("https://", BaseUrlError::Host),
            ("https:///apiv1", BaseUrlError::Host),
            ("https://tcrm..vn", BaseUrlError::Host),
            ("https://tcrm.vn:", BaseUrlError::Host),
            ("https://tcrm.vn:99999", BaseUrlError::Host),
            ("https://tcrm.vn:0", BaseUrlError::Host),
            ("https://-tcrm.vn", BaseUrlError::Host),
            ("https://tcrm_hq.vn", BaseUrlError::Host),
            ("https://user:secret@tcrm.vn", BaseUrlError::Extra),
            ("https://tcrm.vn/?x=1", BaseUrlError::Extra),
            ("https://tcrm.vn/#top", BaseUrlError::Extra),
        ] {
            assert_eq!(BaseUrl::parse(bad), Err(reason), "{bad:?}");
        }
        let long = format!("https://tcrm.vn/{}", "a".repeat(MAX_CHARS));
        assert_eq!(BaseUrl::parse(&long), Err(BaseUrlError::TooLong));
    }
}
