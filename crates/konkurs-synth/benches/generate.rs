//! The time to generate a large contest: 100,000 participants and 50
//! jurors, every file in memory.
//!
//! Run with `cargo bench -p konkurs-synth`; it first prints the size of
//! each file.

use konkurs_synth::{GenOptions, generate};

fn large() -> GenOptions {
    GenOptions {
        participants: 100_000,
        jurors: 50,
        ..GenOptions::default()
    }
}

fn main() {
    for (name, bytes) in generate(&large()) {
        let rows = bytes.iter().filter(|b| **b == b'\n').count();
        println!("{name}: {} bytes, {rows} lines", bytes.len());
    }
    divan::main();
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn contest_100k_participants_50_jurors() -> Vec<(String, Vec<u8>)> {
    generate(&large())
}
