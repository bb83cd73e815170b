//! What crossed a connection, told to the gate when the connection is over (VPC flow logs
//! count packets and bytes): a guard that reports on drop, so a connection cut short by an
//! error or a cancelled task is reported too, and a counting wrapper for connections the
//! proxy serves itself.

use crate::session::Live;
use crate::{Gate, Session};
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The bytes a connection carried each way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Transfer {
    /// From the client (the instance) to the server.
    pub to_server: u64,
    /// From the server back to the client.
    pub to_client: u64,
}

/// Counters a connection adds to while it runs.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    to_server: AtomicU64,
    to_client: AtomicU64,
}

impl Counters {
    pub(crate) fn add(&self, transfer: Transfer) {
        self.to_server
            .fetch_add(transfer.to_server, Ordering::Relaxed);
        self.to_client
            .fetch_add(transfer.to_client, Ordering::Relaxed);
    }
}

/// Reports a connection to its gate when dropped (and keeps it counted live meanwhile,
/// when it holds the gauge's token).
pub(crate) struct FlowGuard {
    counters: Arc<Counters>,
    report: Option<Box<dyn FnOnce(Transfer) + Send + Sync>>,
    _live: Option<Live>,
}

impl FlowGuard {
    pub(crate) fn new<G: Gate>(gate: Arc<G>, session: Arc<Session>, host: &str, port: u16) -> Self {
        let host = host.to_owned();
        Self {
            counters: Arc::default(),
            report: Some(Box::new(move |transfer| {
                gate.closed(&session, &host, port, transfer);
            })),
            _live: None,
        }
    }

    /// The guard also holds the connection's place in the live gauge.
    pub(crate) fn holding(mut self, live: Live) -> Self {
        self._live = Some(live);
        self
    }

    pub(crate) fn counters(&self) -> Arc<Counters> {
        Arc::clone(&self.counters)
    }

    pub(crate) fn add(&self, transfer: Transfer) {
        self.counters.add(transfer);
    }
}

impl Drop for FlowGuard {
    fn drop(&mut self) {
        if let Some(report) = self.report.take() {
            report(Transfer {
                to_server: self.counters.to_server.load(Ordering::Relaxed),
                to_client: self.counters.to_client.load(Ordering::Relaxed),
            });
        }
    }
}

/// The client's side of a connection, counting what it reads (to the server) and writes
/// (to the client).
pub(crate) struct Counted<IO> {
    inner: IO,
    counters: Arc<Counters>,
}

impl<IO> Counted<IO> {
    pub(crate) fn new(inner: IO, counters: Arc<Counters>) -> Self {
        Self { inner, counters }
    }
}

impl<IO: AsyncRead + Unpin> AsyncRead for Counted<IO> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        let read = (buf.filled().len() - before) as u64;
        self.counters.to_server.fetch_add(read, Ordering::Relaxed);
        polled
    }
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for Counted<IO> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = &polled {
            self.counters
                .to_client
                .fetch_add(*n as u64, Ordering::Relaxed);
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
