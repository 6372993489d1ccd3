//! A public contact form: a validated body anyone can post.

use std::sync::Mutex;

use elif::prelude::*;
use serde::{Deserialize, Serialize};

/// What a visitor sends.
#[derive(Debug, Clone, Deserialize, Serialize, Validate, Schema)]
pub struct ContactForm {
    /// Their name.
    #[validate(length(min = 1, max = 100))]
    pub name: String,
    /// Where to answer.
    #[validate(email)]
    pub email: String,
    /// The message.
    #[validate(length(min = 10, max = 5000))]
    pub message: String,
}

/// Keeps the messages received (in memory until the data layer lands).
#[injectable]
pub struct Inbox {
    #[inject(default)]
    messages: Mutex<Vec<ContactForm>>,
}

impl Inbox {
    fn receive(&self, form: ContactForm) -> usize {
        let mut messages = self
            .messages
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        messages.push(form);
        messages.len()
    }
}

/// `/contact`
#[injectable]
pub struct ContactController {
    inbox: Inject<Inbox>,
}

#[controller("/contact")]
impl ContactController {
    /// Receives a message.
    #[post("/")]
    async fn send(&self, form: Valid<ContactForm>) -> Created<serde_json::Value> {
        let number = self.inbox.receive(form.into_inner());
        Created::at(
            format!("/contact/{number}"),
            serde_json::json!({ "received": number }),
        )
    }
}

/// The contact form.
#[module(providers(Inbox), controllers(ContactController))]
pub struct ContactModule;
