//! A single keep-alive HTTP/1.1 connection that POSTs EC2 query-protocol forms.
//!
//! Each worker owns one [`Conn`]. When the server closes the connection (moto's
//! werkzeug server answers `Connection: close` to every request), the next request
//! opens a new one; the reconnect time is part of that request's latency, because a
//! real client pays it too.

use anyhow::{Context as _, Result, bail};
use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{AUTHORIZATION, CONNECTION, CONTENT_TYPE, HOST};
use hyper::{Request, Uri};
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpStream;

/// SigV4-shaped header: the servers route by the credential scope (region) and do
/// not verify signatures.
pub(crate) const AUTH: &str = "AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0";

const FORM: &str = "application/x-www-form-urlencoded; charset=utf-8";

/// The bound on connecting plus one request/response exchange.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// A loopback endpoint, `http://127.0.0.1:PORT`.
#[derive(Clone, Debug)]
pub(crate) struct Endpoint {
    pub(crate) addr: SocketAddr,
    host: String,
}

impl Endpoint {
    /// Parses `http://HOST:PORT[/]`; only loopback addresses are accepted.
    pub(crate) fn parse(url: &str) -> Result<Self> {
        let uri: Uri = url
            .parse()
            .with_context(|| format!("bad endpoint {url:?}"))?;
        if uri.scheme_str() != Some("http") {
            bail!("endpoint {url:?}: only http:// is supported");
        }
        let auth = uri
            .authority()
            .with_context(|| format!("endpoint {url:?} has no host:port"))?;
        let host = auth.host().trim_start_matches('[').trim_end_matches(']');
        let host = if host == "localhost" {
            "127.0.0.1"
        } else {
            host
        };
        let ip: std::net::IpAddr = host
            .parse()
            .with_context(|| format!("endpoint host {host:?} is not an IP"))?;
        if !ip.is_loopback() {
            bail!(
                "endpoint {url:?} is not a loopback address; the benchmark only targets this machine"
            );
        }
        let port = auth
            .port_u16()
            .with_context(|| format!("endpoint {url:?} has no port"))?;
        Ok(Self::from_addr(SocketAddr::new(ip, port)))
    }

    pub(crate) fn from_addr(addr: SocketAddr) -> Self {
        Self {
            addr,
            host: addr.to_string(),
        }
    }

    pub(crate) fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// One response: status and whole body.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Bytes,
}

impl Reply {
    pub(crate) fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// A reconnecting keep-alive connection.
pub(crate) struct Conn {
    endpoint: Endpoint,
    sender: Option<SendRequest<Full<Bytes>>>,
    /// TCP connections opened so far.
    pub(crate) connects: u64,
}

impl Conn {
    pub(crate) fn new(endpoint: Endpoint) -> Self {
        Self {
            endpoint,
            sender: None,
            connects: 0,
        }
    }

    async fn connect(&mut self) -> Result<SendRequest<Full<Bytes>>> {
        let stream = TcpStream::connect(self.endpoint.addr)
            .await
            .with_context(|| format!("connect {}", self.endpoint.addr))?;
        stream.set_nodelay(true)?;
        let (sender, conn) = http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(async move {
            // The connection ends when the server closes it or the sender is dropped.
            let _ended = conn.await;
        });
        self.connects += 1;
        Ok(sender)
    }

    /// A sender that is ready for a request, reusing the live connection if any.
    async fn ready_sender(&mut self) -> Result<SendRequest<Full<Bytes>>> {
        if let Some(mut s) = self.sender.take()
            && !s.is_closed()
            && s.ready().await.is_ok()
        {
            return Ok(s);
        }
        self.connect().await
    }

    fn request(&self, form: &str) -> Result<Request<Full<Bytes>>> {
        Ok(Request::post("/")
            .header(HOST, &self.endpoint.host)
            .header(CONTENT_TYPE, FORM)
            .header(AUTHORIZATION, AUTH)
            .body(Full::new(Bytes::copy_from_slice(form.as_bytes())))?)
    }

    async fn exchange(&mut self, form: &str) -> Result<Reply> {
        let mut sender = self.ready_sender().await?;
        let resp = match sender.try_send_request(self.request(form)?).await {
            Ok(resp) => resp,
            Err(mut e) => {
                // A kept-alive connection the server had just closed: if the request
                // never left, send it once more on a fresh connection.
                if e.take_message().is_none() {
                    return Err(e.into_error().into());
                }
                sender = self.connect().await?;
                sender.send_request(self.request(form)?).await?
            }
        };
        let status = resp.status().as_u16();
        let close = resp
            .headers()
            .get(CONNECTION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("close"));
        let body = resp.into_body().collect().await?.to_bytes();
        if !close && !sender.is_closed() {
            self.sender = Some(sender);
        }
        Ok(Reply { status, body })
    }

    /// POSTs one form and reads the whole response, bounded by a timeout.
    pub(crate) async fn post(&mut self, form: &str) -> Result<Reply> {
        match tokio::time::timeout(REQUEST_TIMEOUT, self.exchange(form)).await {
            Ok(r) => {
                if r.is_err() {
                    self.sender = None;
                }
                r
            }
            Err(_) => {
                self.sender = None;
                bail!("no response within {REQUEST_TIMEOUT:?}")
            }
        }
    }
}

/// The text between the first `<tag>` and the following `</tag>`.
pub(crate) fn xml_value<'a>(body: &'a [u8], tag: &str) -> Option<&'a str> {
    let text = std::str::from_utf8(body).ok()?;
    let open = format!("<{tag}>");
    let start = text.find(&open)? + open.len();
    let rest = text.get(start..)?;
    let end = rest.find("</")?;
    rest.get(..end)
}

/// Whether `needle` occurs in the body.
pub(crate) fn contains(body: &[u8], needle: &str) -> bool {
    let n = needle.as_bytes();
    !n.is_empty() && body.windows(n.len()).any(|w| w == n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_ids_out_of_xml() {
        let body = b"<CreateVpcResponse><vpc><vpcId>vpc-0abc</vpcId><state>pending</state></vpc></CreateVpcResponse>";
        assert_eq!(xml_value(body, "vpcId"), Some("vpc-0abc"));
        assert_eq!(xml_value(body, "subnetId"), None);
        assert!(contains(body, "vpc-0abc"));
        assert!(!contains(body, "vpc-0abd"));
    }

    #[test]
    fn endpoints_must_be_loopback() {
        assert!(Endpoint::parse("http://127.0.0.1:4566").is_ok());
        assert!(Endpoint::parse("http://localhost:4566/").is_ok());
        assert!(Endpoint::parse("http://10.0.0.1:4566").is_err());
        assert!(Endpoint::parse("https://127.0.0.1:4566").is_err());
        assert!(Endpoint::parse("http://127.0.0.1").is_err());
    }
}
