//! The test app's HTTP/1.1 client: one connection per request, the
//! request written whole, the response read to the end.
//!
//! A few dozen lines of our own instead of a general client (`awc`),
//! which switches on HTTP/2 and websocket support in actix-http and so
//! compiles and links them into every app's server too.

use actix_web::http::Method;
use actix_web::http::header::{
    CONTENT_LENGTH, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, TRANSFER_ENCODING,
    TryIntoHeaderPair,
};
use actix_web::web::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::TestResponse;

/// The largest response body a test reads (16 MiB).
const BODY_LIMIT: usize = 16 * 1024 * 1024;

/// A request to the test app, built with [`TestApp::request`](super::TestApp::request)
/// and sent with `TestApp::send`, `send_json` or `send_body`.
#[derive(Debug, Clone)]
pub struct TestRequest {
    pub(super) address: std::net::SocketAddr,
    method: Method,
    path: String,
    headers: HeaderMap,
}

impl TestRequest {
    pub(super) fn new(address: std::net::SocketAddr, method: Method, path: &str) -> Self {
        Self {
            address,
            method,
            path: path.to_owned(),
            headers: HeaderMap::new(),
        }
    }

    /// Sets a header, replacing any value it had: `("x-request-id", "abc")`
    /// or a typed header. Panics when the name or value is not valid.
    pub fn insert_header(mut self, header: impl TryIntoHeaderPair) -> Self {
        let (name, value) = pair(header);
        self.headers.insert(name, value);
        self
    }

    /// Adds a header value, keeping those it had.
    pub fn append_header(mut self, header: impl TryIntoHeaderPair) -> Self {
        let (name, value) = pair(header);
        self.headers.append(name, value);
        self
    }

    /// Sets `Content-Type`, unless the request has one already.
    pub(super) fn default_content_type(mut self, value: &'static str) -> Self {
        if !self.headers.contains_key(CONTENT_TYPE) {
            self.headers
                .insert(CONTENT_TYPE, HeaderValue::from_static(value));
        }
        self
    }

    /// The request's bytes: head and body.
    fn encode(&self, body: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(256 + body.len());
        out.extend_from_slice(self.method.as_str().as_bytes());
        out.push(b' ');
        out.extend_from_slice(self.path.as_bytes());
        out.extend_from_slice(b" HTTP/1.1\r\n");
        // The app's address, unless the test names a host of its own.
        if !self.headers.contains_key(actix_web::http::header::HOST) {
            out.extend_from_slice(b"host: ");
            out.extend_from_slice(self.address.to_string().as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"connection: close\r\n");
        for (name, value) in self.headers.iter() {
            out.extend_from_slice(name.as_str().as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        if !body.is_empty() || !matches!(self.method, Method::GET | Method::HEAD) {
            out.extend_from_slice(format!("content-length: {}\r\n", body.len()).as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(body);
        out
    }

    /// Sends the request with `body` and reads the whole response. Panics
    /// when no response comes (the server closed the connection first).
    pub(super) async fn send(self, body: &[u8]) -> TestResponse {
        let mut stream = match TcpStream::connect(self.address).await {
            Ok(stream) => stream,
            Err(error) => panic!("the test request could not connect: {error}"),
        };
        // A server may answer (413) and close before reading a large body:
        // a failed write is fine as long as a response can be read.
        let written = stream.write_all(&self.encode(body)).await;
        let mut received = Vec::new();
        let read = stream.read_to_end(&mut received).await;
        if received.is_empty() {
            panic!(
                "the test request failed before a response (write: {written:?}, read: {read:?})"
            );
        }
        match parse(&received, self.method == Method::HEAD) {
            Ok(response) => response,
            Err(problem) => panic!(
                "the test app's response cannot be read: {problem}: {:?}",
                String::from_utf8_lossy(&received)
            ),
        }
    }
}

/// A header's name and value; panics when either is not valid (a test's
/// own mistake, shown at once).
fn pair(header: impl TryIntoHeaderPair) -> (HeaderName, HeaderValue) {
    match header.try_into_pair() {
        Ok(pair) => pair,
        Err(error) => panic!("a test request's header is not valid: {}", error.into()),
    }
}

/// Parses a whole HTTP/1.1 response (the connection closed after it).
fn parse(received: &[u8], head_only: bool) -> Result<TestResponse, String> {
    let mut slots = [httparse::EMPTY_HEADER; 64];
    let mut response = httparse::Response::new(&mut slots);
    let length = match response.parse(received) {
        Ok(httparse::Status::Complete(length)) => length,
        Ok(httparse::Status::Partial) => return Err("the response head is incomplete".into()),
        Err(error) => return Err(error.to_string()),
    };
    let status = response.code.ok_or("no status")?;
    let mut headers = HeaderMap::new();
    for header in response.headers.iter() {
        let name = HeaderName::from_bytes(header.name.as_bytes()).map_err(|e| e.to_string())?;
        let value = HeaderValue::from_bytes(header.value).map_err(|e| e.to_string())?;
        headers.append(name, value);
    }
    let rest = &received[length..];
    let body = if head_only || status == 204 || status == 304 {
        Vec::new()
    } else if headers
        .get(TRANSFER_ENCODING)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"chunked"))
    {
        dechunk(rest)?
    } else if let Some(length) = headers.get(CONTENT_LENGTH) {
        let length: usize = length
            .to_str()
            .ok()
            .and_then(|v| v.parse().ok())
            .ok_or("a content-length that is not a number")?;
        rest.get(..length)
            .ok_or("the body is shorter than its content-length")?
            .to_vec()
    } else {
        rest.to_vec()
    };
    if body.len() > BODY_LIMIT {
        return Err(format!("the body is larger than {BODY_LIMIT} bytes"));
    }
    Ok(TestResponse {
        status,
        headers,
        body: Bytes::from(body),
    })
}

/// The body of a `Transfer-Encoding: chunked` response.
fn dechunk(mut rest: &[u8]) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        let line_end = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("a chunk size line without its end")?;
        let size = std::str::from_utf8(&rest[..line_end])
            .ok()
            .map(|line| line.split(';').next().unwrap_or_default().trim())
            .and_then(|size| usize::from_str_radix(size, 16).ok())
            .ok_or("a chunk size that is not hexadecimal")?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Ok(body);
        }
        let chunk = rest.get(..size).ok_or("a chunk shorter than its size")?;
        body.extend_from_slice(chunk);
        if body.len() > BODY_LIMIT {
            return Err(format!("the body is larger than {BODY_LIMIT} bytes"));
        }
        rest = rest.get(size + 2..).ok_or("a chunk without its line end")?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_with_a_length_chunks_or_nothing_are_read() {
        let sized = parse(
            b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\nx-a: 1\r\n\r\nhello",
            false,
        )
        .unwrap();
        assert_eq!(
            (sized.status(), sized.text(), sized.header("x-a")),
            (200, "hello".into(), Some("1"))
        );
        let chunked = parse(
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=y\r\n world\r\n0\r\n\r\n",
            false,
        )
        .unwrap();
        assert_eq!(chunked.text(), "hello world");
        let head = parse(b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n", true).unwrap();
        assert_eq!(head.text(), "");
        let to_close = parse(b"HTTP/1.1 200 OK\r\n\r\nuntil the end", false).unwrap();
        assert_eq!(to_close.text(), "until the end");
    }

    #[test]
    fn broken_responses_are_errors() {
        assert!(parse(b"HTTP/1.1 200 OK\r\ncontent-le", false).is_err());
        assert!(parse(b"HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\nshort", false).is_err());
        assert!(
            parse(
                b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n",
                false
            )
            .is_err()
        );
        assert!(
            parse(
                b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n9\r\nabc",
                false
            )
            .is_err()
        );
    }

    #[test]
    fn requests_carry_their_headers_and_length() {
        let request = TestRequest::new("127.0.0.1:80".parse().unwrap(), Method::POST, "/a?b=1")
            .insert_header(("x-one", "1"))
            .default_content_type("application/json");
        let text = String::from_utf8(request.encode(b"{}")).unwrap();
        assert!(
            text.starts_with("POST /a?b=1 HTTP/1.1\r\nhost: 127.0.0.1:80\r\n"),
            "{text}"
        );
        assert!(text.contains("x-one: 1\r\n"), "{text}");
        assert!(
            text.contains("content-type: application/json\r\n"),
            "{text}"
        );
        assert!(text.ends_with("content-length: 2\r\n\r\n{}"), "{text}");
    }
}
