//! The Pub/Sub registry and message delivery.
//!
//! Three independent namespaces, as in Valkey: global channels (SUBSCRIBE /
//! PUBLISH), glob patterns over global channels (PSUBSCRIBE), and shard
//! channels (SSUBSCRIBE / SPUBLISH, which ignore patterns). The registry maps
//! each name to its subscribers and each subscribed client to its names, so
//! both PUBLISH and "unsubscribe everything" are proportional to what they
//! touch.
//!
//! Delivery appends the encoded message to the subscriber's reply buffer and
//! queues its slot in `Server::pending_writes`; the running client (taken
//! out of `Server::clients` during its command) may be a subscriber too and
//! gets the message in its own buffer, before the command's reply, as in
//! Valkey.
//!
//! A client's subscription counts are mirrored in its
//! `pubsub_channels`/`pubsub_patterns`/`pubsub_shard_channels` fields, and a
//! normal client with at least one subscription is of kind `PubSub` (CLIENT
//! LIST `TYPE pubsub`, the output-buffer-limit class, the RESP2 command
//! restriction).

use super::client::{ClientKind, ReplyMode};
use super::{Client, Server};
use crate::protocol::Reply;
pub use crate::util::glob::string_match;
use bytes::Bytes;
use hashbrown::{HashMap, HashSet};

/// Which namespace a subscription lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubKind {
    Channel,
    Pattern,
    Shard,
}

/// Subscribers of one name: client id → connection slot.
type Subscribers = HashMap<u64, usize>;

/// What one client is subscribed to.
#[derive(Default)]
struct ClientSubs {
    channels: HashSet<Bytes>,
    patterns: HashSet<Bytes>,
    shard: HashSet<Bytes>,
}

impl ClientSubs {
    fn get(&self, kind: SubKind) -> &HashSet<Bytes> {
        match kind {
            SubKind::Channel => &self.channels,
            SubKind::Pattern => &self.patterns,
            SubKind::Shard => &self.shard,
        }
    }

    fn set(&mut self, kind: SubKind) -> &mut HashSet<Bytes> {
        match kind {
            SubKind::Channel => &mut self.channels,
            SubKind::Pattern => &mut self.patterns,
            SubKind::Shard => &mut self.shard,
        }
    }

    fn is_empty(&self) -> bool {
        self.channels.is_empty() && self.patterns.is_empty() && self.shard.is_empty()
    }
}

#[derive(Default)]
pub struct PubSub {
    channels: HashMap<Bytes, Subscribers>,
    patterns: HashMap<Bytes, Subscribers>,
    shard_channels: HashMap<Bytes, Subscribers>,
    /// Client id → its subscriptions (only clients with at least one).
    clients: HashMap<u64, ClientSubs>,
}

impl PubSub {
    /// Channels with at least one subscriber (INFO `pubsub_channels`).
    pub fn channel_count(&self) -> usize {
        self.channels.len()
    }

    /// Patterns with at least one subscriber (INFO `pubsub_patterns`,
    /// PUBSUB NUMPAT).
    pub fn pattern_count(&self) -> usize {
        self.patterns.len()
    }

    /// Shard channels with at least one subscriber (INFO
    /// `pubsubshard_channels`).
    pub fn shard_channel_count(&self) -> usize {
        self.shard_channels.len()
    }

    /// Clients subscribed to anything (INFO `pubsub_clients`).
    pub fn client_count(&self) -> usize {
        self.clients.len()
    }

    fn map(&self, kind: SubKind) -> &HashMap<Bytes, Subscribers> {
        match kind {
            SubKind::Channel => &self.channels,
            SubKind::Pattern => &self.patterns,
            SubKind::Shard => &self.shard_channels,
        }
    }

    fn map_mut(&mut self, kind: SubKind) -> &mut HashMap<Bytes, Subscribers> {
        match kind {
            SubKind::Channel => &mut self.channels,
            SubKind::Pattern => &mut self.patterns,
            SubKind::Shard => &mut self.shard_channels,
        }
    }

    /// Number of clients subscribed to exactly this name (PUBSUB NUMSUB /
    /// SHARDNUMSUB; patterns are not expanded).
    pub fn subscriber_count(&self, kind: SubKind, name: &[u8]) -> usize {
        self.map(kind).get(name).map_or(0, |s| s.len())
    }

    /// Active channels (or shard channels) whose name matches `pattern`
    /// (all of them without one).
    pub fn active_names(&self, kind: SubKind, pattern: Option<&[u8]>) -> Vec<Bytes> {
        self.map(kind)
            .keys()
            .filter(|name| pattern.is_none_or(|p| string_match(p, name, false)))
            .cloned()
            .collect()
    }

    /// The names `client` is subscribed to in one namespace.
    pub fn subscriptions_of(&self, client: &Client, kind: SubKind) -> Vec<Bytes> {
        self.clients
            .get(&client.id)
            .map(|subs| subs.get(kind).iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Subscribe `client`; false if it already was. Updates the client's
    /// counts and kind.
    pub fn subscribe(&mut self, client: &mut Client, kind: SubKind, name: &[u8]) -> bool {
        if self
            .clients
            .get(&client.id)
            .is_some_and(|subs| subs.get(kind).contains(name))
        {
            return false;
        }
        // Share one copy of the name between both directions; never keep a
        // slice of the query buffer alive.
        let name = match self.map(kind).get_key_value(name) {
            Some((k, _)) => k.clone(),
            None => Bytes::copy_from_slice(name),
        };
        self.clients
            .entry(client.id)
            .or_default()
            .set(kind)
            .insert(name.clone());
        self.map_mut(kind)
            .entry(name)
            .or_default()
            .insert(client.id, client.slot);
        *count_of(client, kind) += 1;
        mark_pubsub(client);
        true
    }

    /// Unsubscribe `client`; false if it was not subscribed. Updates the
    /// client's counts and kind.
    pub fn unsubscribe(&mut self, client: &mut Client, kind: SubKind, name: &[u8]) -> bool {
        let Some(subs) = self.clients.get_mut(&client.id) else {
            return false;
        };
        if !subs.set(kind).remove(name) {
            return false;
        }
        if subs.is_empty() {
            self.clients.remove(&client.id);
        }
        let map = self.map_mut(kind);
        if let Some(s) = map.get_mut(name) {
            s.remove(&client.id);
            if s.is_empty() {
                map.remove(name);
            }
        }
        let n = count_of(client, kind);
        *n = n.saturating_sub(1);
        if total_subscriptions(client) == 0 {
            unmark_pubsub(client);
        }
        true
    }

    /// Drop every subscription of `client` without notifying it (RESET,
    /// disconnect).
    pub fn unsubscribe_all_silently(&mut self, client: &mut Client) {
        for kind in [SubKind::Channel, SubKind::Pattern, SubKind::Shard] {
            for name in self.subscriptions_of(client, kind) {
                self.unsubscribe(client, kind, &name);
            }
        }
        self.clients.remove(&client.id);
        client.pubsub_channels = 0;
        client.pubsub_patterns = 0;
        client.pubsub_shard_channels = 0;
        unmark_pubsub(client);
    }
}

fn count_of(client: &mut Client, kind: SubKind) -> &mut usize {
    match kind {
        SubKind::Channel => &mut client.pubsub_channels,
        SubKind::Pattern => &mut client.pubsub_patterns,
        SubKind::Shard => &mut client.pubsub_shard_channels,
    }
}

/// Channels + patterns + shard channels.
pub fn total_subscriptions(client: &Client) -> usize {
    client.pubsub_channels + client.pubsub_patterns + client.pubsub_shard_channels
}

/// A normal client with subscriptions is a pub/sub client.
fn mark_pubsub(client: &mut Client) {
    if client.kind == ClientKind::Normal {
        client.kind = ClientKind::PubSub;
    }
}

fn unmark_pubsub(client: &mut Client) {
    if client.kind == ClientKind::PubSub {
        client.kind = ClientKind::Normal;
    }
}

/// Write an out-of-band push into `client`'s reply. Pushes are delivered
/// even when the running command's reply is suppressed (CLIENT REPLY
/// OFF/SKIP), as Valkey's "pushing" flag does: the span is recorded so
/// dispatch keeps it.
pub fn write_push(client: &mut Client, f: impl FnOnce(&mut Reply)) {
    let start = client.reply.buf.len();
    f(&mut client.reply);
    if client.reply_mode != ReplyMode::On {
        let end = client.reply.buf.len();
        client.push_spans.push((start, end));
    }
}

/// One message encoded once, sent to many subscribers: the aggregate
/// header differs between RESP2 (`*`) and RESP3 (`>`), the body does not.
struct Encoded {
    len: usize,
    body: Vec<u8>,
}

impl Encoded {
    fn new(parts: &[&[u8]]) -> Encoded {
        let mut r = Reply::new(false);
        for p in parts {
            r.bulk(p);
        }
        Encoded {
            len: parts.len(),
            body: r.buf,
        }
    }

    fn write(&self, r: &mut Reply) {
        r.push(self.len);
        r.raw(&self.body);
    }
}

const MESSAGE: &[u8] = b"message";
const PMESSAGE: &[u8] = b"pmessage";
const SMESSAGE: &[u8] = b"smessage";

impl Server {
    /// PUBLISH / SPUBLISH: deliver `message` to the subscribers of `channel`
    /// (and, for global channels, of every matching pattern). Returns the
    /// number of deliveries: one per channel subscriber plus one per
    /// matching (pattern, subscriber) pair. `current` is the running client,
    /// which may itself be a subscriber.
    pub fn publish(
        &mut self,
        current: &mut Client,
        channel: &[u8],
        message: &[u8],
        shard: bool,
    ) -> usize {
        self.publish_from(Some(current), channel, message, shard)
    }

    /// [`Server::publish`] from anywhere: `current` is the client taken out
    /// of `clients` for its running command, if there is one.
    pub fn publish_from(
        &mut self,
        mut current: Option<&mut Client>,
        channel: &[u8],
        message: &[u8],
        shard: bool,
    ) -> usize {
        let Server {
            pubsub,
            clients,
            pending_writes,
            ..
        } = self;
        let mut receivers = 0;
        let (kind, tag) = if shard {
            (SubKind::Shard, SMESSAGE)
        } else {
            (SubKind::Channel, MESSAGE)
        };
        if let Some(subs) = pubsub.map(kind).get(channel) {
            let enc = Encoded::new(&[tag, channel, message]);
            receivers += deliver_all(current.as_deref_mut(), clients, pending_writes, subs, &enc);
        }
        if shard {
            return receivers;
        }
        for (pattern, subs) in &pubsub.patterns {
            if !string_match(pattern, channel, false) {
                continue;
            }
            let enc = Encoded::new(&[PMESSAGE, pattern, channel, message]);
            receivers += deliver_all(current.as_deref_mut(), clients, pending_writes, subs, &enc);
        }
        receivers
    }

    /// Forget every subscription of a client (RESET, disconnect).
    pub fn pubsub_forget_client(&mut self, client: &mut Client) {
        if total_subscriptions(client) > 0 || self.pubsub.clients.contains_key(&client.id) {
            self.pubsub.unsubscribe_all_silently(client);
        }
    }
}

/// Deliver `enc` to every subscriber in `subs`; returns how many there were.
fn deliver_all(
    mut current: Option<&mut Client>,
    clients: &mut [Option<Box<Client>>],
    pending_writes: &mut Vec<usize>,
    subs: &Subscribers,
    enc: &Encoded,
) -> usize {
    for (&id, &slot) in subs {
        deliver(
            current.as_deref_mut(),
            clients,
            pending_writes,
            id,
            slot,
            enc,
        );
    }
    subs.len()
}

fn deliver(
    current: Option<&mut Client>,
    clients: &mut [Option<Box<Client>>],
    pending_writes: &mut Vec<usize>,
    id: u64,
    slot: usize,
    enc: &Encoded,
) {
    if let Some(current) = current.filter(|c| c.id == id) {
        write_push(current, |r| enc.write(r));
        return;
    }
    let Some(c) = clients.get_mut(slot).and_then(|c| c.as_deref_mut()) else {
        return;
    };
    if c.id != id || c.close_asap {
        return;
    }
    let was_empty = c.reply.buf.is_empty();
    enc.write(&mut c.reply);
    if was_empty {
        pending_writes.push(slot);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str) -> bool {
        string_match(p.as_bytes(), s.as_bytes(), false)
    }

    #[test]
    fn glob_basics() {
        // Valkey quirk: "*" does not match the empty string.
        assert!(!m("*", ""));
        assert!(m("*", "anything"));
        assert!(m("news.*", "news.tech"));
        assert!(!m("news.*", "new"));
        assert!(m("h?llo", "hello"));
        assert!(!m("h?llo", "hllo"));
        assert!(m("h*llo", "heeeello"));
        assert!(m("h[ae]llo", "hallo"));
        assert!(!m("h[ae]llo", "hillo"));
        assert!(m("h[^e]llo", "hallo"));
        assert!(!m("h[^e]llo", "hello"));
        assert!(m("h[a-b]llo", "hbllo"));
        assert!(m("h[b-a]llo", "hallo"));
        assert!(!m("h[a-b]llo", "hcllo"));
        assert!(m("h\\*llo", "h*llo"));
        assert!(!m("h\\*llo", "hello"));
        assert!(m("a[\\]]b", "a]b"));
        assert!(m("a*b*c", "axxbyyc"));
        assert!(!m("a*b*c", "axxbyy"));
        assert!(m("abc**", "abc"));
        assert!(!m("", "a"));
        assert!(m("", ""));
        assert!(!m("a", ""));
        assert!(string_match(b"HeLLo", b"hello", true));
        assert!(!string_match(b"HeLLo", b"hello", false));
        assert!(string_match(b"[A-C]x", b"bx", true));
    }

    #[test]
    fn glob_odd_patterns_like_valkey() {
        // Unterminated class matches nothing; "[^" matches one byte.
        assert!(!m("[", "a"));
        assert!(m("[^", "a"));
        assert!(!m("[^", "ab"));
        assert!(m("[a", "a"));
        assert!(m("a\\", "a\\"));
        assert!(m("[a-]", "a"));
        // No panic on any input.
        for p in ["[", "[^", "\\", "[\\", "[a-", "*[", "?*[^a-"] {
            for s in ["", "a", "-", "\\", "[", "abc"] {
                let _ = m(p, s);
            }
        }
    }

    fn server() -> Server {
        Server::new(crate::config::Config::load(None, &[]).unwrap())
    }

    /// A connected client parked in its slot, as the event loop keeps it.
    fn connect(srv: &mut Server, slot: usize) {
        let id = slot as u64 + 100;
        if srv.clients.len() <= slot {
            srv.clients.resize_with(slot + 1, || None);
        }
        srv.clients[slot] = Some(Box::new(Client::new(id, slot, 0)));
    }

    /// Run one command for the client in `slot`, returning what it was sent.
    fn run(srv: &mut Server, slot: usize, args: &[&str]) -> String {
        let mut c = srv.clients[slot].take().unwrap();
        let argv: Vec<Bytes> = args
            .iter()
            .map(|a| Bytes::copy_from_slice(a.as_bytes()))
            .collect();
        srv.execute(&mut c, &argv);
        let out = String::from_utf8_lossy(&std::mem::take(&mut c.reply.buf)).into_owned();
        srv.clients[slot] = Some(c);
        out
    }

    fn take_output(srv: &mut Server, slot: usize) -> String {
        let c = srv.clients[slot].as_mut().unwrap();
        String::from_utf8_lossy(&std::mem::take(&mut c.reply.buf)).into_owned()
    }

    #[test]
    fn delivery_to_other_clients_queues_their_writes() {
        let mut srv = server();
        connect(&mut srv, 0);
        connect(&mut srv, 1);
        connect(&mut srv, 2);
        run(&mut srv, 0, &["SUBSCRIBE", "news"]);
        run(&mut srv, 1, &["PSUBSCRIBE", "n*", "*s"]);
        assert_eq!(srv.clients[1].as_ref().unwrap().kind, ClientKind::PubSub);
        assert_eq!(run(&mut srv, 2, &["PUBLISH", "news", "hi"]), ":3\r\n");
        assert_eq!(
            take_output(&mut srv, 0),
            "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n"
        );
        let got = take_output(&mut srv, 1);
        assert!(got.contains("*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$2\r\nhi\r\n"));
        assert!(got.contains("*4\r\n$8\r\npmessage\r\n$2\r\n*s\r\n$4\r\nnews\r\n$2\r\nhi\r\n"));
        let mut pending = std::mem::take(&mut srv.pending_writes);
        pending.sort();
        assert_eq!(pending, vec![0, 1]);
        assert_eq!(run(&mut srv, 2, &["PUBLISH", "others", "x"]), ":1\r\n");
        assert_eq!(run(&mut srv, 2, &["SPUBLISH", "news", "x"]), ":0\r\n");
    }

    #[test]
    fn counts_kind_and_cleanup() {
        let mut srv = server();
        connect(&mut srv, 0);
        run(&mut srv, 0, &["SUBSCRIBE", "a", "b"]);
        run(&mut srv, 0, &["PSUBSCRIBE", "a*"]);
        run(&mut srv, 0, &["SSUBSCRIBE", "s"]);
        assert_eq!(srv.pubsub.channel_count(), 2);
        assert_eq!(srv.pubsub.pattern_count(), 1);
        assert_eq!(srv.pubsub.shard_channel_count(), 1);
        assert_eq!(srv.pubsub.client_count(), 1);
        let c = srv.clients[0].as_ref().unwrap();
        assert_eq!(
            (
                c.pubsub_channels,
                c.pubsub_patterns,
                c.pubsub_shard_channels
            ),
            (2, 1, 1)
        );
        let mut c = srv.clients[0].take().unwrap();
        srv.on_client_closed(&mut c);
        assert_eq!(srv.pubsub.channel_count(), 0);
        assert_eq!(srv.pubsub.pattern_count(), 0);
        assert_eq!(srv.pubsub.shard_channel_count(), 0);
        assert_eq!(srv.pubsub.client_count(), 0);
        assert_eq!(c.kind, ClientKind::Normal);
    }

    #[test]
    fn only_the_last_subscription_leaves_pubsub_mode() {
        let mut srv = server();
        connect(&mut srv, 0);
        run(&mut srv, 0, &["SSUBSCRIBE", "s"]);
        run(&mut srv, 0, &["SUBSCRIBE", "a"]);
        assert_eq!(
            run(&mut srv, 0, &["UNSUBSCRIBE"]),
            "*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:0\r\n"
        );
        assert_eq!(srv.clients[0].as_ref().unwrap().kind, ClientKind::PubSub);
        run(&mut srv, 0, &["SUNSUBSCRIBE", "s"]);
        assert_eq!(srv.clients[0].as_ref().unwrap().kind, ClientKind::Normal);
    }

    #[test]
    fn pushes_survive_a_suppressed_reply() {
        let mut srv = server();
        connect(&mut srv, 0);
        srv.clients[0].as_mut().unwrap().reply.resp3 = true;
        srv.clients[0].as_mut().unwrap().reply_mode = ReplyMode::Off;
        assert_eq!(
            run(&mut srv, 0, &["SUBSCRIBE", "a"]),
            ">3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n"
        );
        // The message to itself is kept, PUBLISH's own reply is not.
        assert_eq!(
            run(&mut srv, 0, &["PUBLISH", "a", "m"]),
            ">3\r\n$7\r\nmessage\r\n$1\r\na\r\n$1\r\nm\r\n"
        );
        assert_eq!(run(&mut srv, 0, &["PING"]), "");
        assert!(srv.clients[0].as_ref().unwrap().push_spans.is_empty());
    }

    #[test]
    fn glob_pathological_is_fast() {
        let p = "a*".repeat(200) + "b";
        let s = "a".repeat(300);
        assert!(!m(&p, &s));
    }
}
