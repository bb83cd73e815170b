//! Carrying a tunnel's bytes both ways once the gate has opened it (a `CONNECT` or SOCKS5
//! tunnel to a real socket).
//!
//! On Linux the bytes never enter user space: each direction moves them socket → pipe →
//! socket with `splice(2)`, so the proxy spends a few system calls per pipe-full instead of
//! copying every byte in and out of a buffer. `bench/proxy.sh` measured the proxy's CPU per
//! GiB carried at about half of tokio's copy with 256 KiB buffers (≈300 vs ≈550 ms/GiB on
//! the 2-core VM); with `SPLICE_F_MORE` it was slower than the copy (each burst's tail sat
//! corked). Elsewhere, or if a pipe cannot be made, it falls back to that copy.
//!
//! Either way a direction that reaches end of file shuts down the other side's write half
//! and the tunnel ends when both directions have, or at the first error (a reset), closing
//! both sockets.

use crate::proxy::TUNNEL_BUFFER;
use tokio::net::TcpStream;

/// Carries bytes between `client` and `backend` until both directions end or one fails;
/// the bytes moved each way (client → backend, backend → client).
pub(crate) async fn carry(
    mut client: TcpStream,
    mut backend: TcpStream,
) -> std::io::Result<(u64, u64)> {
    #[cfg(target_os = "linux")]
    {
        match (linux::Pipe::new(), linux::Pipe::new()) {
            (Ok(up), Ok(down)) => {
                return linux::splice_both(&client, &backend, up, down).await;
            }
            (Err(e), _) | (_, Err(e)) => {
                tracing::debug!(error = %e, "no pipe for splice; copying through user space");
            }
        }
    }
    copy(&mut client, &mut backend).await
}

/// Carries bytes both ways through user space (with large buffers: tokio's default of
/// 8 KiB made a tunnel 4× slower than the direct path); what `splice` cannot serve.
pub(crate) async fn copy<A, B>(client: &mut A, backend: &mut B) -> std::io::Result<(u64, u64)>
where
    A: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + ?Sized,
    B: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + ?Sized,
{
    tokio::io::copy_bidirectional_with_sizes(client, backend, TUNNEL_BUFFER, TUNNEL_BUFFER).await
}

#[cfg(target_os = "linux")]
mod linux {
    use nix::errno::Errno;
    use nix::fcntl::{FcntlArg, OFlag, SpliceFFlags, fcntl, splice};
    use nix::sys::socket::{Shutdown, shutdown};
    use std::io;
    use std::os::fd::{AsRawFd, OwnedFd};
    use tokio::io::Interest;
    use tokio::net::TcpStream;

    /// What a pipe grows to once a transfer fills it: 1 MiB (the default `pipe-max-size`), so
    /// a bulk transfer moves many pages per system call. Pipes start at the kernel's default
    /// (64 KiB) because the size is charged to the user's pipe allowance whether or not it
    /// is used (`pipe-user-pages-soft`, 64 MiB): idle and chatty tunnels stay small.
    const PIPE_GROWN: i32 = 1 << 20;

    /// A non-blocking pipe standing between two sockets, and how many bytes sit in it.
    pub(super) struct Pipe {
        read: OwnedFd,
        write: OwnedFd,
        held: usize,
        capacity: usize,
        grown: bool,
    }

    impl Pipe {
        pub(super) fn new() -> io::Result<Self> {
            let (read, write) = nix::unistd::pipe2(OFlag::O_NONBLOCK | OFlag::O_CLOEXEC)?;
            let capacity = fcntl(&write, FcntlArg::F_GETPIPE_SZ)
                .map_or(4096, |n| usize::try_from(n).unwrap_or(4096));
            Ok(Self {
                read,
                write,
                held: 0,
                capacity,
                grown: false,
            })
        }

        /// After a splice filled the pipe: grow it once (kept as it is if refused).
        fn filled(&mut self) {
            if self.grown {
                return;
            }
            self.grown = true;
            if let Ok(n) = fcntl(&self.write, FcntlArg::F_SETPIPE_SZ(PIPE_GROWN)) {
                self.capacity = usize::try_from(n).unwrap_or(self.capacity);
            }
        }
    }

    /// Not `SPLICE_F_MORE`: it corks the destination socket, so the last bytes of each
    /// burst would wait for the next one.
    const FLAGS: SpliceFFlags = SpliceFFlags::SPLICE_F_MOVE.union(SpliceFFlags::SPLICE_F_NONBLOCK);

    pub(super) async fn splice_both(
        client: &TcpStream,
        backend: &TcpStream,
        up: Pipe,
        down: Pipe,
    ) -> io::Result<(u64, u64)> {
        tokio::try_join!(one_way(client, backend, up), one_way(backend, client, down))
    }

    /// Moves bytes from `from` to `to` through `pipe` until `from` ends (then `to`'s write
    /// half is shut down) or either fails.
    async fn one_way(from: &TcpStream, to: &TcpStream, mut pipe: Pipe) -> io::Result<u64> {
        let mut total = 0u64;
        loop {
            // Fill the pipe from the source (it is empty here: everything read was written).
            from.readable().await?;
            let moved = match from.try_io(Interest::READABLE, || {
                splice(from, None, &pipe.write, None, pipe.capacity, FLAGS).map_err(io::Error::from)
            }) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => return Err(e),
            };
            pipe.held = moved;
            total += moved as u64;
            if moved == pipe.capacity {
                pipe.filled();
            }
            // Drain it into the destination.
            while pipe.held > 0 {
                to.writable().await?;
                match to.try_io(Interest::WRITABLE, || {
                    splice(&pipe.read, None, to, None, pipe.held, FLAGS).map_err(io::Error::from)
                }) {
                    Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                    Ok(n) => pipe.held -= n,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                    Err(e) => return Err(e),
                }
            }
        }
        // The source is done sending: say so to the destination, keep the other way open.
        match shutdown(to.as_raw_fd(), Shutdown::Write) {
            Ok(()) | Err(Errno::ENOTCONN) => Ok(total),
            Err(e) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    /// A connected pair of loopback sockets.
    async fn pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let near = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (far, _) = listener.accept().await.unwrap();
        (near, far)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn bytes_cross_both_ways_intact_and_half_closes_pass_through() {
        let (mut client, client_side) = pair().await;
        let (backend_side, mut backend) = pair().await;
        let carried = tokio::spawn(carry(client_side, backend_side));
        // 8 MiB up, with a pattern, so a lost or reordered page would show.
        let up: Vec<u8> = (0..8 << 20).map(|i: u32| (i % 251) as u8).collect();
        let sent = up.clone();
        let writer = tokio::spawn(async move {
            client.write_all(&sent).await.unwrap();
            client.shutdown().await.unwrap();
            client
        });
        let mut got = Vec::new();
        backend.read_to_end(&mut got).await.unwrap();
        assert!(got == up, "the bytes arrive as sent");
        // The client's half-close reached the backend, and the other way is still open.
        backend.write_all(b"answer after your EOF").await.unwrap();
        backend.shutdown().await.unwrap();
        let mut client = writer.await.unwrap();
        let mut answer = Vec::new();
        client.read_to_end(&mut answer).await.unwrap();
        assert_eq!(answer, b"answer after your EOF");
        let (to_backend, to_client) = carried.await.unwrap().unwrap();
        assert_eq!((to_backend, to_client), (8 << 20, 21));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_reset_ends_the_tunnel_and_closes_the_other_side() {
        let (client, client_side) = pair().await;
        let (backend_side, mut backend) = pair().await;
        let carried = tokio::spawn(carry(client_side, backend_side));
        // The client vanishes abruptly (RST) while the backend keeps sending.
        client.set_zero_linger().unwrap();
        drop(client);
        let chunk = vec![7u8; 64 * 1024];
        let outcome = tokio::time::timeout(std::time::Duration::from_secs(10), async {
            loop {
                if backend.write_all(&chunk).await.is_err() {
                    return;
                }
            }
        })
        .await;
        assert!(outcome.is_ok(), "the backend learns the tunnel is gone");
        let ended = tokio::time::timeout(std::time::Duration::from_secs(10), carried).await;
        assert!(ended.is_ok(), "the carrying task ends");
    }
}
