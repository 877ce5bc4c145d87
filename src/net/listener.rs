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

/// Token of listener `i` in the executor's poll: far above client slots.
pub const LISTENER_BASE: usize = usize::MAX / 2;

/// Parse one `bind` word: the socket address and whether its failure to
/// bind is tolerated (`-` prefix).
fn parse_bind(b: &str, port: u16) -> Result<(SocketAddr, bool), String> {
    let (optional, addr) = match b.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, b),
    };
    let ip: IpAddr = match addr {
        "*" => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        "::*" => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        a => a.parse().map_err(|_| {
            format!("Could not create server TCP listening socket {addr}:{port}: bad address")
        })?,
    };
    Ok((SocketAddr::new(ip, port), optional))
}

/// Bind `sa`; `Ok(None)` when the failure is tolerated (optional address,
/// or an address family the machine lacks).
fn bind_config_addr(
    sa: SocketAddr,
    optional: bool,
    backlog: i32,
) -> Result<Option<mio::net::TcpListener>, String> {
    match bind_one(sa, backlog) {
        Ok(l) => Ok(Some(l)),
        Err(e) if optional || e.raw_os_error() == Some(libc::EAFNOSUPPORT) => {
            tracing::warn!(
                "Could not create server TCP listening socket {}: {e}",
                fmt_sa(sa)
            );
            Ok(None)
        }
        Err(e) => Err(format!(
            "Could not create server TCP listening socket {}: {e}",
            fmt_sa(sa)
        )),
    }
}

fn fmt_sa(sa: SocketAddr) -> String {
    match sa.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => format!("*:{}", sa.port()),
        IpAddr::V6(ip) if ip.is_unspecified() => format!("::*:{}", sa.port()),
        ip => format!("{ip}:{}", sa.port()),
    }
}

/// Bind every configured address. Errors name the address like Valkey's
/// "Could not create server TCP listening socket *:6379: ..." warning.
pub fn bind_tcp(binds: &[String], port: u16, backlog: i32) -> Result<Vec<Listener>, String> {
    let mut out = Vec::new();
    if port == 0 {
        return Ok(out);
    }
    for b in binds {
        let (sa, optional) = parse_bind(b, port)?;
        if let Some(l) = bind_config_addr(sa, optional, backlog)? {
            out.push(Listener::Tcp(l));
        }
    }
    Ok(out)
}

/// The open listening sockets. The `Server` owns them so that CONFIG SET
/// bind/port can close and reopen them within the command, with a rollback
/// when the new addresses cannot be bound (as Valkey does); the event loop
/// polls them under tokens `LISTENER_BASE + index`.
#[derive(Default)]
pub struct Listeners {
    pub list: Vec<Listener>,
    registry: Option<mio::Registry>,
}

impl Listeners {
    pub fn new(list: Vec<Listener>) -> Self {
        Listeners {
            list,
            registry: None,
        }
    }

    /// Start polling the listeners in the executor's poll.
    pub fn attach(&mut self, registry: mio::Registry) -> std::io::Result<()> {
        self.registry = Some(registry);
        self.register_all()
    }

    fn register_all(&mut self) -> std::io::Result<()> {
        let Some(reg) = &self.registry else {
            return Ok(());
        };
        for (i, l) in self.list.iter_mut().enumerate() {
            let token = mio::Token(LISTENER_BASE + i);
            match l {
                Listener::Tcp(t) => reg.register(t, token, mio::Interest::READABLE)?,
                Listener::Unix(u, _) => reg.register(u, token, mio::Interest::READABLE)?,
            }
        }
        Ok(())
    }

    fn deregister_all(&mut self) {
        let Some(reg) = &self.registry else {
            return;
        };
        for l in &mut self.list {
            let _ = match l {
                Listener::Tcp(t) => reg.deregister(t),
                Listener::Unix(u, _) => reg.deregister(u),
            };
        }
    }

    /// Addresses the TCP listeners are bound to.
    pub fn tcp_addrs(&self) -> Vec<SocketAddr> {
        self.list.iter().filter_map(tcp_addr).collect()
    }

    /// Listen on `binds` at `port` instead of the current TCP addresses:
    /// sockets for addresses that stay are kept, the others are closed
    /// before the new ones are bound (so `*` can replace `127.0.0.1` on the
    /// same port), and if a required address fails the closed ones are
    /// bound again and the error returned.
    pub fn rebind_tcp(&mut self, binds: &[String], port: u16, backlog: i32) -> Result<(), String> {
        let mut wanted = Vec::new();
        if port != 0 {
            for b in binds {
                wanted.push(parse_bind(b, port)?);
            }
        }
        self.deregister_all();
        let mut kept = Vec::new();
        let mut closed = Vec::new();
        for l in std::mem::take(&mut self.list) {
            match tcp_addr(&l) {
                Some(a) if wanted.iter().any(|(w, _)| *w == a) => kept.push(l),
                Some(a) => closed.push(a), // dropping `l` closes the socket
                None => kept.push(l),
            }
        }
        let held: Vec<SocketAddr> = kept.iter().filter_map(tcp_addr).collect();
        let mut fresh = Vec::new();
        let mut failure = None;
        for (sa, optional) in wanted {
            if held.contains(&sa) || fresh.iter().any(|l| tcp_addr(l) == Some(sa)) {
                continue;
            }
            match bind_config_addr(sa, optional, backlog) {
                Ok(Some(l)) => fresh.push(Listener::Tcp(l)),
                Ok(None) => {}
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        if let Some(e) = failure {
            drop(fresh);
            for a in closed {
                match bind_one(a, backlog) {
                    Ok(l) => kept.push(Listener::Tcp(l)),
                    Err(err) => tracing::warn!("Failed to restore listener {}: {err}", fmt_sa(a)),
                }
            }
            self.list = kept;
            let _ = self.register_all();
            return Err(e);
        }
        // TCP listeners first, the unix socket last, as at start-up.
        let (mut tcp, unix): (Vec<_>, Vec<_>) = kept
            .into_iter()
            .partition(|l| matches!(l, Listener::Tcp(_)));
        tcp.extend(fresh);
        tcp.extend(unix);
        self.list = tcp;
        self.register_all()
            .map_err(|e| format!("Failed to register listener: {e}"))
    }

    /// Remove the unix socket file at shutdown.
    pub fn remove_unix_sockets(&self) {
        for l in &self.list {
            if let Listener::Unix(_, path) = l {
                tracing::info!("Removing the unix socket file.");
                let _ = std::fs::remove_file(path);
            }
        }
    }
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
