//! IP addresses. Addresses that never identify a person (loopback, unspecified,
//! broadcast, documentation ranges) are invalid; private ranges are weak.

use super::Verdict;
use std::net::{Ipv4Addr, Ipv6Addr};

pub fn validate_v4(candidate: &[u8]) -> Verdict {
    let Ok(s) = std::str::from_utf8(candidate) else {
        return Verdict::Invalid;
    };
    // std rejects leading zeros ("01.2.3.4"), which are version strings or OIDs.
    let Ok(ip) = s.parse::<Ipv4Addr>() else {
        return Verdict::Invalid;
    };
    let [a, b, c, _] = ip.octets();
    let documentation =
        (a, b, c) == (192, 0, 2) || (a, b, c) == (198, 51, 100) || (a, b, c) == (203, 0, 113);
    if ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || a == 0
        || a >= 240
    {
        Verdict::Invalid
    } else if ip.is_private()
        || ip.is_link_local()
        || documentation
        || (a == 100 && (64..128).contains(&b))
    {
        Verdict::Weak
    } else {
        Verdict::Valid
    }
}

pub fn validate_v6(candidate: &[u8]) -> Verdict {
    let Ok(s) = std::str::from_utf8(candidate) else {
        return Verdict::Invalid;
    };
    let Ok(ip) = s.parse::<Ipv6Addr>() else {
        return Verdict::Invalid;
    };
    let seg = ip.segments();
    if ip.is_loopback() || ip.is_unspecified() || ip.is_multicast() {
        Verdict::Invalid
    } else if (seg[0] & 0xfe00) == 0xfc00
        || (seg[0] & 0xffc0) == 0xfe80
        || seg[0] == 0x2001 && seg[1] == 0x0db8
    {
        Verdict::Weak
    } else {
        Verdict::Valid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v4() {
        assert_eq!(validate_v4(b"81.2.69.160"), Verdict::Valid);
        assert_eq!(validate_v4(b"10.1.2.3"), Verdict::Weak);
        assert_eq!(validate_v4(b"127.0.0.1"), Verdict::Invalid);
        assert_eq!(validate_v4(b"256.1.1.1"), Verdict::Invalid);
        assert_eq!(validate_v4(b"1.02.3.4"), Verdict::Invalid);
    }

    #[test]
    fn v6() {
        assert_eq!(validate_v6(b"2a00:1450:4001:81c::200e"), Verdict::Valid);
        assert_eq!(validate_v6(b"fe80::1"), Verdict::Weak);
        assert_eq!(validate_v6(b"::1"), Verdict::Invalid);
        assert_eq!(validate_v6(b"12:30:45"), Verdict::Invalid);
        assert_eq!(validate_v6(b"00:1a:2b:3c:4d:5e"), Verdict::Invalid);
    }
}
