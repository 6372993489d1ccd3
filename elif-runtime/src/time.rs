//! The app's clock: [`Clock`], the system's and a test's. Every app has a
//! `dyn Clock` in its container ([`SystemClock`] unless the app or a module
//! provides one); repositories set `created_at`/`updated_at` from it, and
//! services inject it (`clock: Inject<dyn Clock>`) so that a test can set
//! the time ([`TestClock`]). They live with the data layer, whose
//! [`Timestamp`] they give.

pub use crate::data::{Clock, SystemClock, TestClock, Timestamp};
