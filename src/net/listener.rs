//! Binding the configured TCP addresses and Unix socket.
//!
//! `bind` takes several addresses; a `-` prefix marks an address whose
//! failure to bind is not fatal (`-::*` in the default config, for machines
//! without IPv6). `*` means every IPv4 address and `::*` every IPv6 one.

use socket2::{Domain, Protocol, Socket, Type};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

pub enum Listener {
    Tcp(mio::net::TcpListener),
    Unix(mio::net::UnixListener, String),
}

/// Bind every configured address. Errors name the address like Valkey's
/// "Could not create server TCP listening socket *:6379: ..." warning.
pub fn bind_tcp(binds: &[String], port: u16, backlog: i32) -> Result<Vec<Listener>, String> {
    bind_tcp_reusing(binds, port, backlog, &[]).map(|(new, _)| new)
}

/// [`bind_tcp`] for CONFIG SET bind/port while listeners are open: an
/// address in `held` (bound now) is not bound again (that would fail with
/// "address in use") but returned in the second list, for the event loop
/// to keep its current listener.
pub fn bind_tcp_reusing(
    binds: &[String],
    port: u16,
    backlog: i32,
    held: &[SocketAddr],
) -> Result<(Vec<Listener>, Vec<SocketAddr>), String> {
    let mut out = Vec::new();
    let mut keep = Vec::new();
    if port == 0 {
        return Ok((out, keep));
    }
    for b in binds {
        let (optional, addr) = match b.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, b.as_str()),
        };
        let ip: IpAddr = match addr {
            "*" => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            "::*" => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
            a => match a.parse() {
                Ok(ip) => ip,
                Err(_) => {
                    return Err(format!(
                        "Could not create server TCP listening socket {addr}:{port}: bad address"
                    ))
                }
            },
        };
        let sa = SocketAddr::new(ip, port);
        if held.contains(&sa) {
            if !keep.contains(&sa) {
                keep.push(sa);
            }
            continue;
        }
        match bind_one(sa, backlog) {
            Ok(l) => out.push(Listener::Tcp(l)),
            Err(e) if optional || e.raw_os_error() == Some(libc::EAFNOSUPPORT) => {
                tracing::warn!("Could not create server TCP listening socket {addr}:{port}: {e}");
            }
            Err(e) => {
                return Err(format!(
                    "Could not create server TCP listening socket {addr}:{port}: {e}"
                ))
            }
        }
    }
    Ok((out, keep))
}

/// The local address of a TCP listener.
pub fn tcp_addr(l: &Listener) -> Option<SocketAddr> {
    match l {
        Listener::Tcp(t) => t.local_addr().ok(),
        Listener::Unix(..) => None,
    }
}

fn bind_one(addr: SocketAddr, backlog: i32) -> std::io::Result<mio::net::TcpListener> {
    let domain = if addr.is_ipv6() {
        Domain::IPV6
    } else {
        Domain::IPV4
    };
    let s = Socket::new(domain, Type::STREAM, Some(Protocol::TCP))?;
    if addr.is_ipv6() {
        s.set_only_v6(true)?;
    }
    s.set_reuse_address(true)?;
    s.set_nonblocking(true)?;
    s.bind(&addr.into())?;
    s.listen(backlog)?;
    Ok(mio::net::TcpListener::from_std(s.into()))
}

pub fn bind_unix(path: &str, perm: u32) -> Result<Listener, String> {
    let _ = std::fs::remove_file(path);
    let l = mio::net::UnixListener::bind(path)
        .map_err(|e| format!("Failed opening Unix socket: {e}"))?;
    if perm != 0 {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(perm));
    }
    Ok(Listener::Unix(l, path.to_string()))
}

/// Apply per-connection TCP options: no Nagle, keepalive with the
/// configured interval.
pub fn tune_tcp(s: &mio::net::TcpStream, keepalive_secs: u64) {
    let _ = s.set_nodelay(true);
    if keepalive_secs > 0 {
        let sock = socket2::SockRef::from(s);
        let ka = socket2::TcpKeepalive::new()
            .with_time(std::time::Duration::from_secs(keepalive_secs))
            .with_interval(std::time::Duration::from_secs((keepalive_secs / 3).max(1)));
        let _ = sock.set_tcp_keepalive(&ka);
    }
}
