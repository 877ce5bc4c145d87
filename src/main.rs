//! One binary, several personalities chosen by the name it is run as, like
//! Valkey's: `valkey-server` (and `redis-server`), `valkey-check-rdb`, later
//! `valkey-check-aof` and `valkey-sentinel`.

#[cfg(feature = "jemalloc")]
#[global_allocator]
static GLOBAL: valkey::util::alloc::Counting<tikv_jemallocator::Jemalloc> =
    valkey::util::alloc::Counting(tikv_jemallocator::Jemalloc);

fn main() {
    #[cfg(feature = "jemalloc")]
    valkey::util::alloc::mark_installed();
    let args: Vec<String> = std::env::args().collect();
    let name = args
        .first()
        .and_then(|a| std::path::Path::new(a).file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let code = if name.contains("check-rdb") {
        valkey::persistence::check::main(&args)
    } else if name.contains("check-aof")
        || name.contains("sentinel")
        || args.iter().any(|a| a == "--sentinel")
    {
        eprintln!("{name}: this personality is not implemented yet in valkey-rs");
        1
    } else {
        valkey::startup::server_main(args)
    };
    std::process::exit(code);
}
