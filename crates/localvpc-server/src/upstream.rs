//! Relaying a request for an AWS service localvpc does not serve to the upstream the user
//! configured for it (`--upstream ssm=http://127.0.0.1:4566`, for example another local
//! emulator): the request as the client sent it, signature and `Host` untouched, over plain
//! HTTP/1.1; the answer comes back whole.

use bytes::Bytes;
use http::{HeaderValue, Request, Response, StatusCode, Uri};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::time::Duration;
use tokio::net::TcpStream;

/// The largest upstream answer relayed.
const MAX_ANSWER: usize = 64 * 1024 * 1024;
/// How long the upstream may take to answer.
const TIMEOUT: Duration = Duration::from_secs(60);

fn failed(status: StatusCode, detail: String) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(format!(
        "localvpc: the upstream failed: {detail}\n"
    ))));
    *r.status_mut() = status;
    if let Ok(v) = HeaderValue::from_str(&detail) {
        r.headers_mut().insert("x-localvpc-backend-error", v);
    }
    r
}

/// Sends `request` to `upstream` and answers what it answers.
pub(crate) async fn relay(upstream: &Uri, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let Some(authority) = upstream.authority().map(|a| a.as_str().to_owned()) else {
        return failed(StatusCode::BAD_GATEWAY, format!("{upstream} names no host"));
    };
    let exchange = async {
        let stream = TcpStream::connect(&authority)
            .await
            .map_err(|e| format!("{authority}: {e}"))?;
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| e.to_string())?;
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "upstream connection ended");
            }
        });
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| e.to_string())?;
        let (parts, body) = response.into_parts();
        let body = Limited::new(body, MAX_ANSWER)
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        Ok::<_, String>(Response::from_parts(parts, Full::new(body)))
    };
    match tokio::time::timeout(TIMEOUT, exchange).await {
        Ok(Ok(response)) => response,
        Ok(Err(e)) => failed(StatusCode::BAD_GATEWAY, e),
        Err(_) => failed(
            StatusCode::GATEWAY_TIMEOUT,
            format!("{authority}: no answer in {TIMEOUT:?}"),
        ),
    }
}
