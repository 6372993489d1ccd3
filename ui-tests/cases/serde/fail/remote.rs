//! The prelude's serde derives write a remote definition of the type, so
//! the type cannot be one itself.

use elif::prelude::*;

pub struct Duration {
    pub secs: u64,
}

#[derive(Serialize)]
#[serde(remote = "Duration")]
pub struct DurationDef {
    pub secs: u64,
}

fn main() {}
