use elif::prelude::*;

pub trait Mailer: Send + Sync {}

#[injectable(provides = dyn Mailer)]
pub struct LogMailer {}

fn main() {}
