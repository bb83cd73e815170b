//! The data plane's front door: the proxy that a program run "inside" an instance
//! (`localvpc exec`) sends all its traffic to.
//!
//! It owns the wire side of the data plane and nothing of AWS:
//! - **sessions** ([`Sessions`]): a session stands for one instance; its secret token is
//!   the proxy credential (`http://SESSION:TOKEN@127.0.0.1:PORT`), so another local user
//!   cannot act as an instance without it;
//! - **the proxy** ([`serve`]): HTTP/1.1 forward proxying of absolute-form requests and
//!   `CONNECT` tunnels, authenticated by `Proxy-Authorization: Basic`, and SOCKS5 on the same
//!   port (user/password: the session id and token) for any TCP;
//! - **TLS interception** ([`Authority`]): for a service localvpc serves itself, the proxy
//!   ends the client's TLS with a certificate of the local CA for the name asked, and hands
//!   each request to the gate in-process;
//! - **the verdict's shape** ([`Decision`], [`Refusal`]): a connection is carried to a real
//!   socket, or refused at once with the blocker named in `x-localvpc-*` headers.
//!
//! Whether a connection may happen, and where it really goes, is the [`Gate`]'s answer:
//! the server implements it with the same DNS views and decision core as `localvpc trace`,
//! so what the proxy does and what trace explains cannot disagree.

mod carry;
mod flow;
mod proxy;
mod session;
mod socks;
mod tls;

pub use flow::Transfer;
#[cfg(test)]
mod hostile;

pub use proxy::{HANG_LIMIT, serve};
pub use session::{Session, Sessions};
pub use tls::{Authority, AuthorityError, CA_CERT_FILE, CA_KEY_FILE};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use std::future::Future;
use std::net::SocketAddr;

/// Decides each connection a session asks for.
pub trait Gate: Send + Sync + 'static {
    /// May the session's instance open a TCP connection to `host:port` (a name is resolved
    /// in the instance's VPC view), and which real socket carries it?
    fn decide(
        &self,
        session: &Session,
        host: &str,
        port: u16,
    ) -> impl Future<Output = Decision> + Send;

    /// Answers a request in-process ([`Decision::Serve`]): `target` is the name the gate
    /// gave when it decided, the request as the client sent it (origin form, its own `Host`
    /// and signature).
    fn serve(
        &self,
        session: &Session,
        target: &str,
        request: Request<Incoming>,
    ) -> impl Future<Output = Response<Full<Bytes>>> + Send;

    /// A connection the gate let through ([`Decision::Connect`] or [`Decision::Serve`]) is
    /// over: what it carried each way. Called once per such connection, also when it ended
    /// in an error.
    fn closed(&self, _session: &Session, _host: &str, _port: u16, _transfer: Transfer) {}
}

/// The gate's answer for one connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Open: connect to this real socket.
    Connect(SocketAddr),
    /// Open, to something answered in-process (localvpc's own API, the metadata service,
    /// an upstream the gate relays to): the proxy ends TLS with the local CA's certificate
    /// for the name asked and hands each request to [`Gate::serve`] with this target name.
    Serve(String),
    /// Closed, or nowhere to carry it.
    Refuse(Refusal),
}

/// How the proxy behaves beyond what the gate decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProxyOptions {
    /// Hold connections on a blocked path (status 403) unanswered until the client gives
    /// up, as AWS drops such packets, instead of refusing them at once.
    pub hang_when_blocked: bool,
    /// How long a client may take to send a whole request head (HTTP), or to finish its
    /// SOCKS5 greeting and request, before the proxy closes the connection (slow clients
    /// hold no task for longer).
    pub handshake_timeout: std::time::Duration,
}

impl Default for ProxyOptions {
    fn default() -> Self {
        Self {
            hang_when_blocked: false,
            handshake_timeout: std::time::Duration::from_secs(30),
        }
    }
}

/// Why a connection was refused, as the client sees it: an HTTP status (403 for a blocked
/// path, 502 for a path without a backend), the deciding code (a Reachability Analyzer
/// explanation code or a `LOCALVPC_*` one), a sentence, and the `localvpc trace` command
/// that shows the whole path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub code: String,
    pub detail: String,
    pub trace: Option<String>,
}
