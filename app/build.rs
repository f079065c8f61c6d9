//! Rebuilds the crate when a migration is added or changed: `sqlx::migrate!`
//! embeds the migrations at compile time, and cargo does not otherwise know it
//! reads that directory (sqlx's documented advice).
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
