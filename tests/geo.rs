//! GEO commands against the real binary; expected replies are the bytes
//! redis-server 7.0 gave (stored distances are printed the Valkey way, as
//! shortest round-trip doubles).

mod common;
mod types_support;

use common::TestServer;
use types_support::*;

#[test]
fn geo_commands_match_reference() {
    let srv = TestServer::start();
    let mut c = Raw::connect(srv.port);
    assert_eq!(
        c.q(&[
            "geoadd",
            "g",
            "13.361389",
            "38.115556",
            "Palermo",
            "15.087269",
            "37.502669",
            "Catania"
        ]),
        ":2\r\n"
    );
    assert_eq!(
        c.q(&[
            "geoadd",
            "g",
            "12.758489",
            "38.788135",
            "edge1",
            "17.241510",
            "38.788135",
            "edge2"
        ]),
        ":2\r\n"
    );
    assert_eq!(
        c.q(&["geoadd", "g", "nx", "13.361389", "38.115556", "Palermo"]),
        ":0\r\n"
    );
    assert_eq!(
        c.q(&["geoadd", "g", "xx", "ch", "13.361389", "38.2", "Palermo"]),
        ":1\r\n"
    );
    assert_eq!(
        c.q(&["geoadd", "g", "nx", "xx", "1", "1", "a"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        c.q(&["geoadd", "g", "200", "10", "bad"]),
        "-ERR invalid longitude,latitude pair 200.000000,10.000000\r\n"
    );
    assert_eq!(
        c.q(&["geoadd", "g", "10", "86", "bad"]),
        "-ERR invalid longitude,latitude pair 10.000000,86.000000\r\n"
    );
    assert_eq!(
        c.q(&["geoadd", "g", "10", "abc", "bad"]),
        "-ERR value is not a valid float\r\n"
    );
    assert_eq!(
        c.q(&["geoadd", "g", "10", "10"]),
        "-ERR wrong number of arguments for 'geoadd' command\r\n"
    );
    assert_eq!(
        c.q(&["geoadd", "g", "ch", "10", "10", "p1", "11", "11"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(c.q(&["zrange", "g", "0", "-1", "withscores"]), "*8\r\n$7\r\nPalermo\r\n$16\r\n3479101030759983\r\n$5\r\nedge1\r\n$16\r\n3479273021651468\r\n$7\r\nCatania\r\n$16\r\n3479447370796909\r\n$5\r\nedge2\r\n$16\r\n3481342659049484\r\n");
    assert_eq!(
        c.q(&["geohash", "g", "Palermo", "Catania", "nope"]),
        "*3\r\n$11\r\nsqc92417nu0\r\n$11\r\nsqdtr74hyu0\r\n$-1\r\n"
    );
    assert_eq!(c.q(&["geohash", "nokey", "a"]), "*1\r\n$-1\r\n");
    assert_eq!(c.q(&["geopos", "g", "Palermo", "Catania", "nope"]), "*3\r\n*2\r\n$20\r\n13.36138933897018433\r\n$19\r\n38.2000006309196749\r\n*2\r\n$20\r\n15.08726745843887329\r\n$20\r\n37.50266842333162032\r\n*-1\r\n");
    assert_eq!(c.q(&["geopos", "nokey", "a"]), "*1\r\n*-1\r\n");
    assert_eq!(
        c.q(&["geodist", "g", "Palermo", "Catania"]),
        "$11\r\n170262.6445\r\n"
    );
    assert_eq!(
        c.q(&["geodist", "g", "Palermo", "Catania", "km"]),
        "$8\r\n170.2626\r\n"
    );
    assert_eq!(
        c.q(&["geodist", "g", "Palermo", "Catania", "mi"]),
        "$8\r\n105.7966\r\n"
    );
    assert_eq!(
        c.q(&["geodist", "g", "Palermo", "Catania", "ft"]),
        "$11\r\n558604.4766\r\n"
    );
    assert_eq!(
        c.q(&["geodist", "g", "Palermo", "Catania", "xx"]),
        "-ERR unsupported unit provided. please use M, KM, FT, MI\r\n"
    );
    assert_eq!(c.q(&["geodist", "g", "Palermo", "nope"]), "$-1\r\n");
    assert_eq!(c.q(&["geodist", "nokey", "a", "b"]), "$-1\r\n");
    assert_eq!(
        c.q(&["geodist", "g", "Palermo", "Catania", "km", "extra"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        c.q(&["georadius", "g", "15", "37", "200", "km"]),
        "*2\r\n$7\r\nPalermo\r\n$7\r\nCatania\r\n"
    );
    assert_eq!(
        c.q(&["georadius", "g", "15", "37", "200", "km", "asc"]),
        "*2\r\n$7\r\nCatania\r\n$7\r\nPalermo\r\n"
    );
    assert_eq!(c.q(&["georadius", "g", "15", "37", "200", "km", "desc", "withdist", "withcoord", "withhash"]), "*2\r\n*4\r\n$7\r\nPalermo\r\n$8\r\n196.6301\r\n:3479101030759983\r\n*2\r\n$20\r\n13.36138933897018433\r\n$19\r\n38.2000006309196749\r\n*4\r\n$7\r\nCatania\r\n$7\r\n56.4413\r\n:3479447370796909\r\n*2\r\n$20\r\n15.08726745843887329\r\n$20\r\n37.50266842333162032\r\n");
    assert_eq!(
        c.q(&["georadius", "g", "15", "37", "200", "km", "count", "1"]),
        "*1\r\n$7\r\nCatania\r\n"
    );
    assert_eq!(
        c.q(&[
            "georadius",
            "g",
            "15",
            "37",
            "200",
            "km",
            "count",
            "1",
            "desc"
        ]),
        "*1\r\n$7\r\nPalermo\r\n"
    );
    assert_eq!(
        c.q(&[
            "georadius",
            "g",
            "15",
            "37",
            "200",
            "km",
            "count",
            "1",
            "any"
        ]),
        "*1\r\n$7\r\nPalermo\r\n"
    );
    assert_eq!(
        c.q(&["georadius", "g", "15", "37", "200", "km", "any"]),
        "-ERR the ANY argument requires COUNT argument\r\n"
    );
    assert_eq!(
        c.q(&["georadius", "g", "15", "37", "200", "km", "count", "0"]),
        "-ERR COUNT must be > 0\r\n"
    );
    assert_eq!(
        c.q(&["georadius", "g", "15", "37", "200", "km", "count", "-3"]),
        "-ERR COUNT must be > 0\r\n"
    );
    assert_eq!(
        c.q(&["georadius", "g", "15", "37", "-1", "km"]),
        "-ERR radius cannot be negative\r\n"
    );
    assert_eq!(
        c.q(&["georadius", "g", "15", "37", "abc", "km"]),
        "-ERR need numeric radius\r\n"
    );
    assert_eq!(
        c.q(&["georadius", "g", "15", "37", "200", "lightyears"]),
        "-ERR unsupported unit provided. please use M, KM, FT, MI\r\n"
    );
    assert_eq!(
        c.q(&["georadius", "g", "15", "37", "200", "km", "foo"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        c.q(&["georadius", "g", "200", "37", "200", "km"]),
        "-ERR invalid longitude,latitude pair 200.000000,37.000000\r\n"
    );
    assert_eq!(
        c.q(&["georadius", "nokey", "15", "37", "200", "km"]),
        "*0\r\n"
    );
    assert_eq!(
        c.q(&["georadius", "g", "15", "37", "200", "km", "store", "dst"]),
        ":2\r\n"
    );
    assert_eq!(c.q(&["zrange", "dst", "0", "-1", "withscores"]), "*4\r\n$7\r\nPalermo\r\n$16\r\n3479101030759983\r\n$7\r\nCatania\r\n$16\r\n3479447370796909\r\n");
    assert_eq!(
        c.q(&[
            "georadius",
            "g",
            "15",
            "37",
            "200",
            "km",
            "storedist",
            "dst2"
        ]),
        ":2\r\n"
    );
    assert_eq!(c.q(&["zrange", "dst2", "0", "-1", "withscores"]), "*4\r\n$7\r\nCatania\r\n$16\r\n56.4412578701582\r\n$7\r\nPalermo\r\n$18\r\n196.63009289182335\r\n");
    assert_eq!(c.q(&["georadius", "g", "15", "37", "200", "km", "store", "dst", "withdist"]), "-ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options\r\n");
    assert_eq!(
        c.q(&[
            "georadius",
            "nokey",
            "15",
            "37",
            "200",
            "km",
            "store",
            "dst"
        ]),
        ":0\r\n"
    );
    assert_eq!(
        c.q(&["georadius_ro", "g", "15", "37", "200", "km", "store", "dst"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        c.q(&["georadiusbymember", "g", "Palermo", "100", "km", "withdist"]),
        "*2\r\n*2\r\n$7\r\nPalermo\r\n$6\r\n0.0000\r\n*2\r\n$5\r\nedge1\r\n$7\r\n83.8679\r\n"
    );
    assert_eq!(
        c.q(&["georadiusbymember", "g", "nope", "100", "km"]),
        "-ERR could not decode requested zset member\r\n"
    );
    assert_eq!(
        c.q(&["georadiusbymember", "nokey", "nope", "abc", "km"]),
        "*0\r\n"
    );
    assert_eq!(c.q(&["georadiusbymember_ro", "g", "Palermo", "300", "km", "asc", "withdist"]), "*3\r\n*2\r\n$7\r\nPalermo\r\n$6\r\n0.0000\r\n*2\r\n$5\r\nedge1\r\n$7\r\n83.8679\r\n*2\r\n$7\r\nCatania\r\n$8\r\n170.2626\r\n");
    assert_eq!(c.q(&["geosearch", "g", "frommember", "Palermo", "byradius", "200", "km", "asc", "withdist"]), "*3\r\n*2\r\n$7\r\nPalermo\r\n$6\r\n0.0000\r\n*2\r\n$5\r\nedge1\r\n$7\r\n83.8679\r\n*2\r\n$7\r\nCatania\r\n$8\r\n170.2626\r\n");
    assert_eq!(c.q(&["geosearch", "g", "fromlonlat", "15", "37", "bybox", "400", "400", "km", "asc", "withcoord"]), "*4\r\n*2\r\n$7\r\nCatania\r\n*2\r\n$20\r\n15.08726745843887329\r\n$20\r\n37.50266842333162032\r\n*2\r\n$7\r\nPalermo\r\n*2\r\n$20\r\n13.36138933897018433\r\n$19\r\n38.2000006309196749\r\n*2\r\n$5\r\nedge2\r\n*2\r\n$20\r\n17.24151045083999634\r\n$20\r\n38.78813451624225195\r\n*2\r\n$5\r\nedge1\r\n*2\r\n$19\r\n12.7584877610206604\r\n$20\r\n38.78813451624225195\r\n");
    assert_eq!(
        c.q(&[
            "geosearch",
            "g",
            "fromlonlat",
            "15",
            "37",
            "bybox",
            "400",
            "400",
            "km",
            "desc",
            "count",
            "2"
        ]),
        "*2\r\n$5\r\nedge1\r\n$5\r\nedge2\r\n"
    );
    assert_eq!(
        c.q(&[
            "geosearch",
            "g",
            "frommember",
            "Palermo",
            "fromlonlat",
            "15",
            "37",
            "byradius",
            "10",
            "km"
        ]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        c.q(&["geosearch", "g", "byradius", "10", "km"]),
        "-ERR wrong number of arguments for 'geosearch' command\r\n"
    );
    assert_eq!(
        c.q(&["geosearch", "g", "frommember", "Palermo"]),
        "-ERR wrong number of arguments for 'geosearch' command\r\n"
    );
    assert_eq!(
        c.q(&[
            "geosearch",
            "g",
            "frommember",
            "Palermo",
            "byradius",
            "10",
            "km",
            "bybox",
            "1",
            "1",
            "km"
        ]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        c.q(&[
            "geosearch",
            "g",
            "fromlonlat",
            "15",
            "37",
            "bybox",
            "-1",
            "1",
            "km"
        ]),
        "-ERR height or width cannot be negative\r\n"
    );
    assert_eq!(
        c.q(&[
            "geosearch",
            "g",
            "fromlonlat",
            "15",
            "37",
            "bybox",
            "a",
            "1",
            "km"
        ]),
        "-ERR need numeric width\r\n"
    );
    assert_eq!(
        c.q(&[
            "geosearch",
            "g",
            "fromlonlat",
            "15",
            "37",
            "byradius",
            "10",
            "km",
            "store",
            "x"
        ]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        c.q(&[
            "geosearch",
            "nokey",
            "frommember",
            "nope",
            "byradius",
            "10",
            "km"
        ]),
        "*0\r\n"
    );
    assert_eq!(
        c.q(&[
            "geosearch",
            "g",
            "frommember",
            "nope",
            "byradius",
            "10",
            "km"
        ]),
        "-ERR could not decode requested zset member\r\n"
    );
    assert_eq!(
        c.q(&[
            "geosearchstore",
            "dst",
            "g",
            "fromlonlat",
            "15",
            "37",
            "byradius",
            "200",
            "km",
            "storedist"
        ]),
        ":2\r\n"
    );
    assert_eq!(c.q(&["zrange", "dst", "0", "-1", "withscores"]), "*4\r\n$7\r\nCatania\r\n$16\r\n56.4412578701582\r\n$7\r\nPalermo\r\n$18\r\n196.63009289182335\r\n");
    assert_eq!(
        c.q(&[
            "geosearchstore",
            "dst",
            "g",
            "fromlonlat",
            "15",
            "37",
            "byradius",
            "200",
            "km",
            "withdist"
        ]),
        "-ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options\r\n"
    );
    assert_eq!(
        c.q(&[
            "geosearchstore",
            "dst",
            "g",
            "fromlonlat",
            "15",
            "37",
            "byradius",
            "1",
            "km"
        ]),
        ":0\r\n"
    );
    assert_eq!(
        c.q(&[
            "geosearch",
            "g",
            "fromlonlat",
            "0",
            "0",
            "byradius",
            "20000",
            "km"
        ]),
        "*4\r\n$7\r\nPalermo\r\n$5\r\nedge1\r\n$7\r\nCatania\r\n$5\r\nedge2\r\n"
    );
    assert_eq!(
        c.q(&[
            "geosearch",
            "g",
            "fromlonlat",
            "0",
            "0",
            "byradius",
            "0",
            "km"
        ]),
        "*0\r\n"
    );
    assert_eq!(
        c.q(&[
            "geoadd", "pole", "0", "85", "a", "179", "85", "b", "-179", "85", "c", "0", "-85", "d"
        ]),
        ":4\r\n"
    );
    assert_eq!(
        c.q(&[
            "geosearch",
            "pole",
            "fromlonlat",
            "0",
            "85",
            "byradius",
            "500",
            "km",
            "asc",
            "withdist"
        ]),
        "*1\r\n*2\r\n$1\r\na\r\n$6\r\n0.0000\r\n"
    );
    assert_eq!(
        c.q(&[
            "geosearch",
            "pole",
            "fromlonlat",
            "180",
            "85",
            "bybox",
            "1000",
            "100",
            "km",
            "asc",
            "withdist"
        ]),
        "*1\r\n*2\r\n$1\r\nb\r\n$6\r\n9.6939\r\n"
    );
    assert_eq!(c.q(&["set", "str", "x"]), "+OK\r\n");
    assert_eq!(
        c.q(&["geoadd", "str", "1", "1", "a"]),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        c.q(&["geopos", "str", "a"]),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        c.q(&["georadius", "str", "15", "37", "200", "km"]),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
}

#[test]
fn resp3_coords_and_distance() {
    let srv = TestServer::start();
    let mut c = Raw::connect(srv.port);
    assert_eq!(
        c.q(&["GEOADD", "g", "13.361389", "38.115556", "Palermo"]),
        int(1)
    );
    c.assert_encoding("g", "listpack");
    assert!(c.q(&["HELLO", "3"]).starts_with('%'));
    assert_eq!(
        c.q(&["GEOPOS", "g", "Palermo", "x"]),
        "*2\r\n*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n_\r\n"
    );
    assert_eq!(
        c.q(&[
            "GEOSEARCH",
            "g",
            "FROMLONLAT",
            "13",
            "38",
            "BYRADIUS",
            "100",
            "km",
            "WITHDIST"
        ]),
        "*1\r\n*2\r\n$7\r\nPalermo\r\n$7\r\n34.1601\r\n"
    );
}
