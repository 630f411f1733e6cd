//! A seeded synthetic contest (being written).
pub struct GenOptions {
    pub participants: usize,
    pub jurors: usize,
    pub events: usize,
    pub interns: usize,
    pub mentors: usize,
    pub seed: u64,
}
pub fn generate(_opts: &GenOptions) -> Vec<(String, Vec<u8>)> {
    Vec::new()
}
