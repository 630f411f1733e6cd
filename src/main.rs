//! The `konkurs` binary: the command line of the library.

/// mimalloc: opening a large contest decodes hundreds of thousands of small
/// records, and this allocator makes that a quarter faster than the system's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    konkurs::cli::main()
}
