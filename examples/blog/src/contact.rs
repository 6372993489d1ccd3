//! A public contact form: a validated body anyone can post.

use elif::prelude::*;

use crate::models::{Message, MessageInput};

/// `/contact`
#[injectable]
pub struct ContactController {
    messages: Inject<Repository<Message>>,
}

#[controller("/contact", public)]
impl ContactController {
    /// Receives a message.
    #[post("/")]
    async fn send(&self, form: Valid<MessageInput>) -> elif::Result<Created<Message>> {
        let message = self.messages.insert(form.into_inner().into()).await?;
        Ok(Created::at(format!("/contact/{}", message.id), message))
    }
}

/// The contact form.
#[module(imports(crate::models::ModelsModule), controllers(ContactController))]
pub struct ContactModule;
