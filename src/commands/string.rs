//! String commands (the minimal core set; the full group lives here too).

use crate::server::{err, CmdResult, CommandTable, Ctx};
use crate::types::{Str, Value};
use bytes::Bytes;

pub fn register(t: &mut CommandTable) {
    t.add("get", get);
    t.add("set", set);
}

fn get(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    match ctx.read_key(&argv[1]) {
        (None, r) => r.null(),
        (Some(Value::Str(s)), r) => s.with_bytes(|b| r.bulk(b)),
        #[allow(unreachable_patterns)]
        (Some(_), _) => return Err(err::WRONGTYPE.into()),
    }
    Ok(())
}

fn set(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len() != 3 {
        return Err(err::SYNTAX.into());
    }
    let now = ctx.now_ms();
    let db = ctx.client.db;
    let _ = now;
    ctx.srv.dbs[db].set(&argv[1], Value::Str(Str::from_bytes(&argv[2])), false);
    ctx.dirty(1);
    ctx.reply().ok();
    Ok(())
}
