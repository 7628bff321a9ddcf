//! The client's address behind trusted proxies.
//!
//! Throttling, refresh binding and the audit log key on the client's address. Behind a load
//! balancer the socket's peer is the balancer, so every client would share one address (and
//! one client's failures would throttle everyone). When the peer is one of the operator's
//! `trusted_proxies`, the client is read from `Forwarded` (RFC 7239) or else
//! `X-Forwarded-For`: the rightmost address that is not itself a trusted proxy, since every
//! hop left of the first untrusted one could have been written by the client. With no trusted
//! proxies (the default), forwarding headers are ignored.

use std::net::IpAddr;

use ipnet::IpNet;
use poem::http::HeaderMap;

use crate::config::ClientIpHeader;

/// Most forwarding hops read; a longer chain is cut to its rightmost entries.
const MAX_HOPS: usize = 32;

/// The client's address: the peer itself unless it is a trusted proxy.
pub fn client_ip(
    peer: Option<IpAddr>,
    headers: &HeaderMap,
    trusted: &[IpNet],
    header: ClientIpHeader,
) -> Option<IpAddr> {
    let peer = peer.map(unmap)?;
    if !is_trusted(peer, trusted) {
        return Some(peer);
    }
    let hops = match header {
        ClientIpHeader::Forwarded => forwarded_for(headers),
        ClientIpHeader::XForwardedFor => x_forwarded_for(headers),
    };
    let Some(hops) = hops else {
        return Some(peer);
    };
    // Walk from the nearest hop outwards; the first one we do not trust is the client.
    let mut client = peer;
    for hop in hops.into_iter().rev() {
        match hop {
            Some(ip) => {
                client = ip;
                if !is_trusted(ip, trusted) {
                    break;
                }
            }
            // An unreadable hop (`unknown`, an obfuscated name): nothing beyond it is known.
            None => break,
        }
    }
    Some(client)
}

fn unmap(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn is_trusted(ip: IpAddr, trusted: &[IpNet]) -> bool {
    trusted.iter().any(|n| n.contains(&ip))
}

/// Every `for=` of every `Forwarded` header, in order; `None` when there is no such header.
fn forwarded_for(headers: &HeaderMap) -> Option<Vec<Option<IpAddr>>> {
    let mut hops = Vec::new();
    let mut seen = false;
    for value in headers.get_all("forwarded") {
        seen = true;
        // Split the raw bytes: one non-ASCII hop (written by the client) must not void the
        // hops the proxies appended.
        for element in value.as_bytes().split(|b| *b == b',') {
            let hop = std::str::from_utf8(element).ok().and_then(|element| {
                element.split(';').find_map(|pair| {
                    let (k, v) = pair.split_once('=')?;
                    k.trim()
                        .eq_ignore_ascii_case("for")
                        .then(|| parse_node(v.trim()))
                })
            });
            hops.push(hop.flatten());
        }
    }
    seen.then(|| keep_last(hops))
}

/// The addresses of every `X-Forwarded-For` header, in order; `None` when there is none.
fn x_forwarded_for(headers: &HeaderMap) -> Option<Vec<Option<IpAddr>>> {
    let mut hops = Vec::new();
    let mut seen = false;
    for value in headers.get_all("x-forwarded-for") {
        seen = true;
        hops.extend(value.as_bytes().split(|b| *b == b',').map(|h| {
            std::str::from_utf8(h)
                .ok()
                .and_then(|h| parse_node(h.trim()))
        }));
    }
    seen.then(|| keep_last(hops))
}

fn keep_last(mut hops: Vec<Option<IpAddr>>) -> Vec<Option<IpAddr>> {
    if hops.len() > MAX_HOPS {
        hops.drain(..hops.len() - MAX_HOPS);
    }
    hops
}

/// A node as RFC 7239 writes it (`192.0.2.1`, `"[2001:db8::1]:4711"`, `192.0.2.1:80`), or an
/// X-Forwarded-For entry; `None` for `unknown`, obfuscated names and anything else.
fn parse_node(raw: &str) -> Option<IpAddr> {
    let s = raw.trim_matches('"');
    if let Some(rest) = s.strip_prefix('[') {
        let (addr, _) = rest.split_once(']')?;
        return addr.parse().ok().map(unmap);
    }
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(unmap(ip));
    }
    // IPv4 with a port.
    let (host, port) = s.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    host.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use poem::http::HeaderValue;

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|n| n.parse().expect("cidr")).collect()
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).expect("header"));
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    const XFF: ClientIpHeader = ClientIpHeader::XForwardedFor;
    const FWD: ClientIpHeader = ClientIpHeader::Forwarded;

    #[test]
    fn untrusted_peers_are_the_client_whatever_they_claim() {
        let h = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(
            client_ip(Some(ip("198.51.100.7")), &h, &[], XFF),
            Some(ip("198.51.100.7"))
        );
        let trusted = nets(&["10.0.0.0/8"]);
        assert_eq!(
            client_ip(Some(ip("198.51.100.7")), &h, &trusted, XFF),
            Some(ip("198.51.100.7"))
        );
    }

    #[test]
    fn behind_a_trusted_proxy_the_rightmost_untrusted_hop_is_the_client() {
        let trusted = nets(&["10.0.0.0/8", "2001:db8::/32"]);
        // The client wrote a fake first hop; the balancer appended the real one.
        let h = headers(&[("x-forwarded-for", "1.2.3.4, 203.0.113.9")]);
        assert_eq!(
            client_ip(Some(ip("10.1.2.3")), &h, &trusted, XFF),
            Some(ip("203.0.113.9"))
        );
        // Two trusted proxies in a row.
        let h = headers(&[("x-forwarded-for", "1.2.3.4, 203.0.113.9, 10.9.9.9")]);
        assert_eq!(
            client_ip(Some(ip("10.1.2.3")), &h, &trusted, XFF),
            Some(ip("203.0.113.9"))
        );
        // Several headers count as one list.
        let h = headers(&[
            ("x-forwarded-for", "1.2.3.4"),
            ("x-forwarded-for", "203.0.113.9"),
        ]);
        assert_eq!(
            client_ip(Some(ip("10.1.2.3")), &h, &trusted, XFF),
            Some(ip("203.0.113.9"))
        );
        // Every hop trusted: the leftmost is as far as we know.
        let h = headers(&[("x-forwarded-for", "10.0.0.5, 10.0.0.6")]);
        assert_eq!(
            client_ip(Some(ip("10.1.2.3")), &h, &trusted, XFF),
            Some(ip("10.0.0.5"))
        );
        // No header: the proxy itself.
        assert_eq!(
            client_ip(Some(ip("10.1.2.3")), &HeaderMap::new(), &trusted, XFF),
            Some(ip("10.1.2.3"))
        );
        // Garbage stops the walk at the last hop read.
        let h = headers(&[("x-forwarded-for", "203.0.113.9, nonsense")]);
        assert_eq!(
            client_ip(Some(ip("10.1.2.3")), &h, &trusted, XFF),
            Some(ip("10.1.2.3"))
        );
    }

    #[test]
    fn only_the_configured_header_is_read_and_forwarded_is_parsed_per_rfc_7239() {
        let trusted = nets(&["10.0.0.0/8"]);
        let h = headers(&[
            (
                "forwarded",
                r#"for=192.0.2.60;proto=http, for="[2001:db8:cafe::17]:4711""#,
            ),
            ("x-forwarded-for", "198.51.100.1"),
        ]);
        let from_proxy = Some(ip("10.0.0.1"));
        assert_eq!(
            client_ip(from_proxy, &h, &trusted, FWD),
            Some(ip("2001:db8:cafe::17"))
        );
        // A client's own `Forwarded` is never read behind an X-Forwarded-For balancer.
        assert_eq!(
            client_ip(from_proxy, &h, &trusted, XFF),
            Some(ip("198.51.100.1"))
        );
        let h = headers(&[("forwarded", "for=198.51.100.4:8080;by=10.0.0.1")]);
        assert_eq!(
            client_ip(from_proxy, &h, &trusted, FWD),
            Some(ip("198.51.100.4"))
        );
        assert_eq!(
            client_ip(from_proxy, &h, &trusted, XFF),
            Some(ip("10.0.0.1"))
        );
        let h = headers(&[("forwarded", "for=unknown")]);
        assert_eq!(
            client_ip(from_proxy, &h, &trusted, FWD),
            Some(ip("10.0.0.1"))
        );
    }

    #[test]
    fn a_non_ascii_hop_voids_only_itself() {
        let trusted = nets(&["10.0.0.0/8"]);
        let mut h = HeaderMap::new();
        h.append(
            "x-forwarded-for",
            HeaderValue::from_bytes(b"\xff\xfe, 203.0.113.9").expect("bytes"),
        );
        assert_eq!(
            client_ip(Some(ip("10.1.2.3")), &h, &trusted, XFF),
            Some(ip("203.0.113.9"))
        );
    }

    #[test]
    fn mapped_addresses_are_plain_ipv4() {
        let trusted = nets(&["127.0.0.0/8"]);
        let h = headers(&[("x-forwarded-for", "::ffff:203.0.113.9")]);
        assert_eq!(
            client_ip(Some(ip("::ffff:127.0.0.1")), &h, &trusted, XFF),
            Some(ip("203.0.113.9"))
        );
    }

    #[test]
    fn long_chains_are_cut() {
        let trusted = nets(&["10.0.0.0/8"]);
        let many = vec!["10.0.0.1"; 1000].join(",");
        let h = headers(&[("x-forwarded-for", &many)]);
        assert_eq!(
            client_ip(Some(ip("10.0.0.2")), &h, &trusted, XFF),
            Some(ip("10.0.0.1"))
        );
    }
}
