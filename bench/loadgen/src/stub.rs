//! A canned-answer EC2 stub: the harness's own ceiling.
//!
//! It answers every action of the mix with a fixed-shape XML document (fresh ids, no
//! state, no validation), so a `compare --stub` run shows how many requests per second
//! the load generator itself can drive on this machine. If localvpc's figure is close
//! to the stub's, the harness, not localvpc, is the limit.

use anyhow::{Context as _, Result};
use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::net::TcpListener;

fn action(form: &[u8]) -> &str {
    let text = std::str::from_utf8(form).unwrap_or_default();
    text.split('&')
        .find_map(|kv| kv.strip_prefix("Action="))
        .unwrap_or("")
}

fn answer(action: &str, n: u64) -> String {
    let body = match action {
        "CreateVpc" => format!("<vpc><vpcId>vpc-{n:017x}</vpcId><state>available</state></vpc>"),
        "CreateSubnet" => format!("<subnet><subnetId>subnet-{n:017x}</subnetId></subnet>"),
        "CreateSecurityGroup" => format!("<groupId>sg-{n:017x}</groupId><return>true</return>"),
        _ => "<return>true</return>".to_owned(),
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{action}Response xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\
         <requestId>00000000-0000-0000-0000-{n:012x}</requestId>{body}</{action}Response>"
    )
}

async fn handle(
    req: Request<Incoming>,
    ids: Arc<AtomicU64>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let form = match req.into_body().collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => Bytes::new(),
    };
    let n = ids.fetch_add(1, Ordering::Relaxed);
    let xml = answer(action(&form), n);
    let mut resp = Response::new(Full::new(Bytes::from(xml)));
    resp.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/xml;charset=UTF-8"),
    );
    Ok(resp)
}

/// Serves until killed; prints `listening on http://ADDR` once bound.
pub(crate) async fn serve(listen: SocketAddr) -> Result<()> {
    if !listen.ip().is_loopback() {
        anyhow::bail!("the stub only listens on loopback");
    }
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("bind {listen}"))?;
    println!("listening on http://{}", listener.local_addr()?);
    let ids = Arc::new(AtomicU64::new(1));
    loop {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        let ids = ids.clone();
        tokio::spawn(async move {
            let svc = service_fn(move |req| handle(req, ids.clone()));
            let _closed = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), svc)
                .await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::xml_value;

    #[test]
    fn answers_carry_ids() {
        assert_eq!(action(b"Action=CreateVpc&Version=2016-11-15"), "CreateVpc");
        let xml = answer("CreateSubnet", 5);
        assert_eq!(
            xml_value(xml.as_bytes(), "subnetId"),
            Some("subnet-00000000000000005")
        );
    }
}
