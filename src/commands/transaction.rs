//! Transaction commands: MULTI, EXEC, DISCARD, WATCH, UNWATCH.

use crate::server::multi::MultiState;
use crate::server::{CmdResult, CommandTable, Ctx};
use bytes::Bytes;

pub fn register(t: &mut CommandTable) {
    t.add("multi", multi);
    t.add("exec", exec);
    t.add("discard", discard);
    t.add("watch", watch);
    t.add("unwatch", unwatch);
}

fn multi(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    if ctx.client.multi.is_some() {
        return Err("ERR MULTI calls can not be nested".into());
    }
    ctx.client.multi = Some(Box::default());
    ctx.reply().ok();
    Ok(())
}

fn discard(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    if ctx.client.multi.is_none() {
        return Err("ERR DISCARD without MULTI".into());
    }
    ctx.srv.discard_transaction(ctx.client);
    ctx.reply().ok();
    Ok(())
}

fn watch(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if ctx.client.multi.is_some() {
        return Err("ERR WATCH inside MULTI is not allowed".into());
    }
    for key in &argv[1..] {
        ctx.srv.watch(ctx.client, key);
    }
    ctx.reply().ok();
    Ok(())
}

fn unwatch(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    ctx.srv.unwatch_all(ctx.client);
    ctx.reply().ok();
    Ok(())
}

fn exec(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let Some(state) = ctx.client.multi.take() else {
        return Err("ERR EXEC without MULTI".into());
    };
    let MultiState { queued, abort } = *state;
    ctx.propagate_nothing();
    if abort {
        ctx.srv.unwatch_all(ctx.client);
        return Err("EXECABORT Transaction discarded because of previous errors.".into());
    }
    if ctx.client.dirty_cas {
        ctx.srv.unwatch_all(ctx.client);
        ctx.reply().null_array();
        return Ok(());
    }
    ctx.srv.unwatch_all(ctx.client);
    ctx.reply().array(queued.len());
    let first_propagated = ctx.srv.propagated.len();
    ctx.client.in_exec = true;
    for (cmd, argv) in &queued {
        ctx.srv.call(ctx.client, *cmd, argv);
    }
    ctx.client.in_exec = false;
    // Replicas and the AOF see the transaction's effects as one unit.
    let n = ctx.srv.propagated.len().saturating_sub(first_propagated);
    if n > 1 {
        let db = ctx.srv.propagated[first_propagated].0;
        ctx.srv
            .propagated
            .insert(first_propagated, (db, vec![Bytes::from_static(b"MULTI")]));
        let last_db = ctx.srv.propagated.back().map(|p| p.0).unwrap_or(db);
        ctx.srv
            .propagated
            .push_back((last_db, vec![Bytes::from_static(b"EXEC")]));
    }
    Ok(())
}
