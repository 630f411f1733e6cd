//! How long a durable save takes: one juror's score through the service
//! (the sled commit with its audit entry, then the flush), beside the raw
//! fsync of a small write on the same disk. Reports the median and p99.
//!
//! Run with `cargo bench --bench durability`.

/// The allocator the konkurs binary uses, so that figures match it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod common;

use konkurs::domain::ids::{CriterionId, ParticipantId, StageId};
use konkurs::service::{Actor, Service};
use std::io::Write;
use std::time::Instant;

const SAMPLES: usize = 400;

fn raw_fsync(dir: &std::path::Path) -> common::Stats {
    let mut f = std::fs::File::create(dir.join("fsync-probe")).unwrap();
    let mut samples = Vec::with_capacity(SAMPLES);
    for i in 0..SAMPLES {
        let t = Instant::now();
        f.write_all(format!("score {i} saved\n").as_bytes())
            .unwrap();
        f.sync_data().unwrap();
        samples.push(t.elapsed());
    }
    common::stats(samples)
}

fn main() {
    // The bench database lives on the same disk as target/.
    let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&base).unwrap();
    let dir = tempfile::tempdir_in(&base).unwrap();
    let service = Service::open(&dir.path().join("db")).unwrap();
    common::load(&service, &common::files(150));
    let coordinator = Actor::local_coordinator();
    // Open the portfolio stage: everyone advances from the educational one.
    let view = service.view(&coordinator);
    let everyone: Vec<ParticipantId> = view.participants().map(|p| p.id.clone()).collect();
    drop(view);
    service
        .close_stage(
            &coordinator,
            &StageId::new("education"),
            "protocol of the jury",
        )
        .unwrap();
    let _ = everyone;
    let stage = StageId::new("portfolio");
    service.assign_auto(&coordinator, &stage, None).unwrap();
    let juror = service.actor("J02").unwrap();
    let queue: Vec<ParticipantId> = service
        .view(&juror)
        .assignments(&stage)
        .iter()
        .map(|a| a.participant.clone())
        .collect();
    let criteria = [
        "projects",
        "creative_task",
        "partnership",
        "media",
        "mentoring",
    ];
    let mut samples = Vec::with_capacity(SAMPLES);
    for i in 0..SAMPLES {
        let p = &queue[i % queue.len()];
        let c = CriterionId::new(criteria[(i / queue.len()) % criteria.len()]);
        let value = (i % 21) as f64 / 2.0;
        let t = Instant::now();
        service
            .set_score(&juror, &stage, p, &c, Some(value))
            .unwrap();
        samples.push(t.elapsed());
    }
    let save = common::stats(samples);
    let fsync = raw_fsync(dir.path());
    println!("durable score save (service, flush included): {save}");
    println!("raw fsync of a small write, same disk:        {fsync}");
    println!(
        "ratio of medians: {:.2}",
        save.median.as_secs_f64() / fsync.median.as_secs_f64()
    );
}
