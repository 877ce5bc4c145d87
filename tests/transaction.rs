//! MULTI/EXEC/DISCARD/WATCH against the real server.

mod common;
use common::*;
use redis::Value;

#[test]
fn exec_runs_queue_atomically() {
    let srv = TestServer::start();
    let mut c = srv.client();
    assert_eq!(cmd(&mut c, &["MULTI"]), Value::Okay);
    assert_eq!(
        cmd(&mut c, &["SET", "a", "1"]),
        Value::SimpleString("QUEUED".into())
    );
    assert_eq!(
        cmd(&mut c, &["GET", "a"]),
        Value::SimpleString("QUEUED".into())
    );
    assert_eq!(
        cmd(&mut c, &["EXEC"]),
        Value::Array(vec![Value::Okay, Value::BulkString(b"1".to_vec())])
    );
    assert_eq!(err_of(&mut c, &["EXEC"]), "ERR EXEC without MULTI");
    assert_eq!(err_of(&mut c, &["DISCARD"]), "ERR DISCARD without MULTI");
}

#[test]
fn queueing_errors_abort_exec() {
    let srv = TestServer::start();
    let mut c = srv.client();
    cmd(&mut c, &["MULTI"]);
    assert_eq!(
        err_of(&mut c, &["GET"]),
        "ERR wrong number of arguments for 'get' command"
    );
    cmd(&mut c, &["SET", "a", "2"]);
    assert_eq!(
        err_of(&mut c, &["EXEC"]),
        "EXECABORT Transaction discarded because of previous errors."
    );
    assert_eq!(cmd(&mut c, &["GET", "a"]), Value::Nil);
    cmd(&mut c, &["MULTI"]);
    assert_eq!(
        err_of(&mut c, &["MULTI"]),
        "ERR MULTI calls can not be nested"
    );
    assert_eq!(
        err_of(&mut c, &["WATCH", "x"]),
        "ERR WATCH inside MULTI is not allowed"
    );
    assert_eq!(cmd(&mut c, &["DISCARD"]), Value::Okay);
}

#[test]
fn watch_fails_exec_after_another_client_writes() {
    let srv = TestServer::start();
    let mut a = srv.client();
    let mut b = srv.client();
    cmd(&mut a, &["SET", "k", "1"]);
    assert_eq!(cmd(&mut a, &["WATCH", "k"]), Value::Okay);
    cmd(&mut b, &["SET", "k", "2"]);
    cmd(&mut a, &["MULTI"]);
    cmd(&mut a, &["SET", "k", "3"]);
    assert_eq!(cmd(&mut a, &["EXEC"]), Value::Nil);
    assert_eq!(cmd(&mut a, &["GET", "k"]), Value::BulkString(b"2".to_vec()));
    // Untouched watch: EXEC proceeds; UNWATCH forgets.
    cmd(&mut a, &["WATCH", "k"]);
    cmd(&mut a, &["MULTI"]);
    cmd(&mut a, &["SET", "k", "4"]);
    assert_eq!(cmd(&mut a, &["EXEC"]), Value::Array(vec![Value::Okay]));
    cmd(&mut a, &["WATCH", "k"]);
    cmd(&mut a, &["UNWATCH"]);
    cmd(&mut b, &["SET", "k", "5"]);
    cmd(&mut a, &["MULTI"]);
    cmd(&mut a, &["GET", "k"]);
    assert_eq!(
        cmd(&mut a, &["EXEC"]),
        Value::Array(vec![Value::BulkString(b"5".to_vec())])
    );
}

#[test]
fn raw_exec_reply_and_null_on_abort() {
    let srv = TestServer::start();
    let out = srv.raw_exchange(b"MULTI\r\nPING\r\nEXEC\r\n", 5 + 9 + 11);
    assert_eq!(out, b"+OK\r\n+QUEUED\r\n*1\r\n+PONG\r\n");
}
