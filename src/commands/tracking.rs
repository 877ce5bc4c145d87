//! CLIENT TRACKING, CLIENT CACHING, CLIENT GETREDIR, CLIENT TRACKINGINFO:
//! the commands of client-side caching. They parse and validate the
//! options with Valkey's checks and error texts; the tracking table, the
//! BCAST prefixes and invalidation delivery live in `server/tracking.rs`.

use super::eq_ic;
use crate::server::tracking::{prefixes_overlap, Options};
use crate::server::{err, CmdResult, CommandTable, Ctx};
use crate::util::num::parse_i64;
use bytes::Bytes;

pub fn register(t: &mut CommandTable) {
    t.add("client|tracking", client_tracking);
    t.add("client|caching", client_caching);
    t.add("client|getredir", client_getredir);
    t.add("client|trackinginfo", client_trackinginfo);
}

fn lossy(b: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(b)
}

/// The (id, slot) of a connected client, the caller included.
fn find_client(ctx: &Ctx, id: i64) -> Option<(u64, usize)> {
    let id = u64::try_from(id).ok()?;
    if ctx.client.id == id {
        return Some((id, ctx.client.slot));
    }
    ctx.srv
        .other_clients()
        .find(|c| c.id == id)
        .map(|c| (c.id, c.slot))
}

/// CLIENT TRACKING (ON|OFF) [REDIRECT id] [BCAST] [PREFIX p ...] [OPTIN]
/// [OPTOUT] [NOLOOP]
fn client_tracking(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut redirect: Option<(u64, usize)> = None;
    let mut opts = Options::default();
    let mut prefixes: Vec<Bytes> = Vec::new();
    let mut j = 3;
    while j < argv.len() {
        let opt = &argv[j];
        let more = j + 1 < argv.len();
        if eq_ic(opt, "redirect") && more {
            j += 1;
            if redirect.is_some() {
                return Err("ERR A client can only redirect to a single other client".into());
            }
            let id = parse_i64(&argv[j]).ok_or(err::NOT_INT)?;
            // The target must exist now, even if it may go away later.
            redirect = Some(
                find_client(ctx, id)
                    .ok_or("ERR The client ID you want redirect to does not exist")?,
            );
        } else if eq_ic(opt, "bcast") {
            opts.bcast = true;
        } else if eq_ic(opt, "optin") {
            opts.optin = true;
        } else if eq_ic(opt, "optout") {
            opts.optout = true;
        } else if eq_ic(opt, "noloop") {
            opts.noloop = true;
        } else if eq_ic(opt, "prefix") && more {
            j += 1;
            prefixes.push(argv[j].clone());
        } else {
            return Err(err::SYNTAX.into());
        }
        j += 1;
    }
    let status = &argv[2];
    if eq_ic(status, "on") {
        check_enable(ctx, &opts, &prefixes)?;
        ctx.srv
            .tracking_enable(ctx.client, redirect, opts, &prefixes);
    } else if eq_ic(status, "off") {
        ctx.srv.tracking_disable(ctx.client);
    } else {
        return Err(err::SYNTAX.into());
    }
    ctx.reply().ok();
    Ok(())
}

/// The checks of CLIENT TRACKING ON, in Valkey's order: options among
/// themselves and against the mode already enabled.
fn check_enable(ctx: &Ctx, opts: &Options, prefixes: &[Bytes]) -> CmdResult {
    if !opts.bcast && !prefixes.is_empty() {
        return Err("ERR PREFIX option requires BCAST mode to be enabled".into());
    }
    let current = ctx.client.tracking.as_deref();
    if current.is_some_and(|t| t.bcast != opts.bcast) {
        return Err(
            "ERR You can't switch BCAST mode on/off before disabling tracking for \
                    this client, and then re-enabling it with a different mode."
                .into(),
        );
    }
    if opts.bcast && (opts.optin || opts.optout) {
        return Err("ERR OPTIN and OPTOUT are not compatible with BCAST".into());
    }
    if opts.optin && opts.optout {
        return Err("ERR You can't specify both OPTIN mode and OPTOUT mode".into());
    }
    if current.is_some_and(|t| (opts.optin && t.optout) || (opts.optout && t.optin)) {
        return Err(
            "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for \
                    this client, and then re-enabling it with a different mode."
                .into(),
        );
    }
    if opts.bcast {
        check_prefix_collisions(current.map(|t| &t.prefixes), prefixes)?;
    }
    Ok(())
}

/// No new prefix may overlap one the client already has, nor another new
/// one (Valkey's checkPrefixCollisionsOrReply).
fn check_prefix_collisions(
    existing: Option<&std::collections::BTreeSet<Bytes>>,
    prefixes: &[Bytes],
) -> CmdResult {
    for (i, p) in prefixes.iter().enumerate() {
        if let Some(old) = existing.and_then(|e| e.iter().find(|o| prefixes_overlap(o, p))) {
            return Err(format!(
                "ERR Prefix '{}' overlaps with an existing prefix '{}'. Prefixes for a single \
                 client must not overlap.",
                lossy(p),
                lossy(old)
            )
            .into());
        }
        if let Some(other) = prefixes[i + 1..].iter().find(|o| prefixes_overlap(p, o)) {
            return Err(format!(
                "ERR Prefix '{}' overlaps with another provided prefix '{}'. Prefixes for a \
                 single client must not overlap.",
                lossy(p),
                lossy(other)
            )
            .into());
        }
    }
    Ok(())
}

/// CLIENT CACHING (YES|NO): track (OPTIN) or skip (OPTOUT) the keys of the
/// next command or transaction.
fn client_caching(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let Some(t) = ctx.client.tracking.as_deref_mut() else {
        return Err(
            "ERR CLIENT CACHING can be called only when the client is in tracking \
                    mode with OPTIN or OPTOUT mode enabled"
                .into(),
        );
    };
    let opt = &argv[2];
    if eq_ic(opt, "yes") {
        if !t.optin {
            return Err(
                "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode."
                    .into(),
            );
        }
    } else if eq_ic(opt, "no") {
        if !t.optout {
            return Err(
                "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode."
                    .into(),
            );
        }
    } else {
        return Err(err::SYNTAX.into());
    }
    t.caching = true;
    ctx.reply().ok();
    Ok(())
}

/// The redirect id while tracking (0: none), -1 when not tracking.
fn redirect_of(ctx: &Ctx) -> i64 {
    ctx.client
        .tracking
        .as_deref()
        .map_or(-1, |t| t.redirect as i64)
}

fn client_getredir(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let id = redirect_of(ctx);
    ctx.reply().int(id);
    Ok(())
}

/// CLIENT TRACKINGINFO: flags (a set), redirect, prefixes.
fn client_trackinginfo(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let redirect = redirect_of(ctx);
    let mut flags: Vec<&str> = Vec::new();
    let mut prefixes: Vec<Bytes> = Vec::new();
    match ctx.client.tracking.as_deref() {
        None => flags.push("off"),
        Some(t) => {
            flags.push("on");
            if t.bcast {
                flags.push("bcast");
            }
            if t.optin {
                flags.push("optin");
                if t.caching {
                    flags.push("caching-yes");
                }
            }
            if t.optout {
                flags.push("optout");
                if t.caching {
                    flags.push("caching-no");
                }
            }
            if t.noloop {
                flags.push("noloop");
            }
            if t.broken_redirect {
                flags.push("broken_redirect");
            }
            prefixes.extend(t.prefixes.iter().cloned());
        }
    }
    let r = ctx.reply();
    r.map(3);
    r.bulk(b"flags");
    r.set(flags.len());
    for f in flags {
        r.bulk(f.as_bytes());
    }
    r.bulk(b"redirect");
    r.int(redirect);
    r.bulk(b"prefixes");
    r.array(prefixes.len());
    for p in &prefixes {
        r.bulk(p);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn b(s: &str) -> Bytes {
        Bytes::copy_from_slice(s.as_bytes())
    }

    #[test]
    fn prefix_collisions_have_valkeys_texts() {
        assert_eq!(check_prefix_collisions(None, &[b("a"), b("b")]), Ok(()));
        assert_eq!(
            check_prefix_collisions(None, &[b("x"), b("xy")])
                .unwrap_err()
                .0,
            "ERR Prefix 'x' overlaps with another provided prefix 'xy'. Prefixes for a single \
             client must not overlap."
        );
        let existing: BTreeSet<Bytes> = [b("xy")].into_iter().collect();
        assert_eq!(
            check_prefix_collisions(Some(&existing), &[b("x")])
                .unwrap_err()
                .0,
            "ERR Prefix 'x' overlaps with an existing prefix 'xy'. Prefixes for a single client \
             must not overlap."
        );
        // The empty prefix (plain BCAST) overlaps everything.
        let existing: BTreeSet<Bytes> = [b("")].into_iter().collect();
        assert!(check_prefix_collisions(Some(&existing), &[b("q")]).is_err());
    }
}
