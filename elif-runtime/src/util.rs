//! Small helpers shared across the runtime.

/// Strips module paths from a type name, keeping generics:
/// `dyn blog::mail::Mailer` becomes `dyn Mailer`,
/// `elif_runtime::di::Inject<blog::Db>` becomes `Inject<Db>`.
pub(crate) fn short_type_name(full: &str) -> String {
    let mut out = String::with_capacity(full.len());
    let mut segment = String::new();
    for c in full.chars() {
        if c.is_alphanumeric() || c == '_' || c == ':' {
            segment.push(c);
        } else {
            out.push_str(segment.rsplit("::").next().unwrap_or_default());
            segment.clear();
            out.push(c);
        }
    }
    out.push_str(segment.rsplit("::").next().unwrap_or_default());
    out
}

/// Deserialises a field that may be absent (`None`), `null`
/// (`Some(None)`) or a value (`Some(Some(v))`): with `#[serde(default)]`,
/// a patch can tell "leave it" from "set it to NULL".
#[doc(hidden)]
pub fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(deserializer).map(Some)
}

pin_project_lite::pin_project! {
    /// A future bounded in time: `None` when `inner` is not done `after`
    /// its first poll. The timer is made only when the first poll leaves
    /// `inner` pending, so a future that finishes at once costs no timer.
    pub(crate) struct Deadline<F> {
        #[pin]
        inner: F,
        after: std::time::Duration,
        timer: Option<std::pin::Pin<Box<tokio::time::Sleep>>>,
    }
}

impl<F> Deadline<F> {
    /// `inner`, given `after` to finish.
    pub(crate) fn new(inner: F, after: std::time::Duration) -> Self {
        Self {
            inner,
            after,
            timer: None,
        }
    }
}

impl<F: std::future::Future> std::future::Future for Deadline<F> {
    type Output = Option<F::Output>;

    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let this = self.project();
        if let std::task::Poll::Ready(output) = this.inner.poll(cx) {
            return std::task::Poll::Ready(Some(output));
        }
        let after = *this.after;
        let timer = this
            .timer
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(after)));
        timer.as_mut().poll(cx).map(|()| None)
    }
}

#[cfg(test)]
mod tests {
    use super::short_type_name;

    #[test]
    fn strips_paths_but_keeps_shape() {
        assert_eq!(short_type_name("dyn blog::mail::Mailer"), "dyn Mailer");
        assert_eq!(
            short_type_name("elif_runtime::di::Inject<blog::Db>"),
            "Inject<Db>"
        );
        assert_eq!(short_type_name("(a::B, c::D<e::F>)"), "(B, D<F>)");
        assert_eq!(short_type_name("u16"), "u16");
    }
}
