//! One UDP socket and one TCP listener for every view of a loopback block (Linux).
//!
//! A socket per view costs two file descriptors and a receive loop each, so a large
//! organisation (10,000 VPCs) would run out of descriptors long before it runs out of
//! addresses. Instead the block's views share a pair bound to the wildcard address on the
//! block's port: the view of a datagram is the address it was sent to (`IP_PKTINFO`), and
//! the answer leaves from that same address (a resolver drops answers from another source).
//! A TCP connection's view is its local address. Traffic to any address that is not a
//! view's (another interface's address included: the wildcard also receives from the
//! network) is dropped without an answer, so the shared socket answers exactly what the
//! per-view sockets would.

use crate::View;
use arc_swap::ArcSwap;
use nix::sys::socket::{
    ControlMessage, ControlMessageOwned, MsgFlags, SockaddrIn, recvmsg, sendmsg, setsockopt,
    sockopt,
};
use std::io::{self, IoSlice, IoSliceMut};
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::os::fd::AsRawFd;
use std::sync::Arc;
use tokio::io::Interest;
use tokio::net::UdpSocket;

/// Which view answers at which address of the block. Read by every datagram, written by the
/// listener reconciliation.
#[derive(Default)]
pub(crate) struct Routes {
    map: ArcSwap<imbl::HashMap<Ipv4Addr, Arc<View>>>,
}

impl Routes {
    pub(crate) fn view(&self, addr: Ipv4Addr) -> Option<Arc<View>> {
        self.map.load().get(&addr).cloned()
    }

    pub(crate) fn contains(&self, addr: Ipv4Addr) -> bool {
        self.map.load().contains_key(&addr)
    }

    pub(crate) fn insert(&self, addr: Ipv4Addr, view: View) {
        let view = Arc::new(view);
        self.map.rcu(|map| map.update(addr, Arc::clone(&view)));
    }

    pub(crate) fn remove(&self, addr: Ipv4Addr) {
        self.map.rcu(|map| map.without(&addr));
    }
}

/// Binds the wildcard pair on `port` (0 = a free port, the same for UDP and TCP), with
/// destination addresses switched on for UDP.
pub(crate) fn bind(port: u16) -> Option<(std::net::UdpSocket, std::net::TcpListener)> {
    for _ in 0..4 {
        let udp = std::net::UdpSocket::bind((Ipv4Addr::UNSPECIFIED, port)).ok()?;
        let local = udp.local_addr().ok()?;
        match std::net::TcpListener::bind(local) {
            Ok(tcp) => {
                setsockopt(&udp, sockopt::Ipv4PacketInfo, &true).ok()?;
                udp.set_nonblocking(true).ok()?;
                tcp.set_nonblocking(true).ok()?;
                return Some((udp, tcp));
            }
            Err(_) if port == 0 => continue,
            Err(_) => return None,
        }
    }
    None
}

/// Receives one datagram: its length, the client, and the address it was sent to.
pub(crate) async fn recv(
    socket: &UdpSocket,
    buf: &mut [u8],
) -> io::Result<(usize, SocketAddr, Option<Ipv4Addr>)> {
    socket
        .async_io(Interest::READABLE, || {
            let mut iov = [IoSliceMut::new(buf)];
            let mut control = nix::cmsg_space!(nix::libc::in_pktinfo);
            let msg = recvmsg::<SockaddrIn>(
                socket.as_raw_fd(),
                &mut iov,
                Some(&mut control),
                MsgFlags::empty(),
            )?;
            let mut to = None;
            for cmsg in msg.cmsgs()? {
                if let ControlMessageOwned::Ipv4PacketInfo(info) = cmsg {
                    to = Some(Ipv4Addr::from(u32::from_be(info.ipi_addr.s_addr)));
                }
            }
            let peer = msg
                .address
                .map(|a| SocketAddr::V4(SocketAddrV4::new(a.ip(), a.port())))
                .ok_or_else(|| io::Error::from(io::ErrorKind::InvalidData))?;
            Ok((msg.bytes, peer, to))
        })
        .await
}

/// Sends `reply` to `peer` from the view's address `from`.
pub(crate) async fn send(
    socket: &UdpSocket,
    reply: &[u8],
    peer: SocketAddr,
    from: Ipv4Addr,
) -> io::Result<()> {
    let SocketAddr::V4(peer) = peer else {
        return Err(io::Error::from(io::ErrorKind::Unsupported));
    };
    let to = SockaddrIn::from(peer);
    let info = nix::libc::in_pktinfo {
        ipi_ifindex: 0,
        ipi_spec_dst: nix::libc::in_addr {
            s_addr: u32::from(from).to_be(),
        },
        ipi_addr: nix::libc::in_addr { s_addr: 0 },
    };
    socket
        .async_io(Interest::WRITABLE, || {
            sendmsg(
                socket.as_raw_fd(),
                &[IoSlice::new(reply)],
                &[ControlMessage::Ipv4PacketInfo(&info)],
                MsgFlags::empty(),
                Some(&to),
            )?;
            Ok(())
        })
        .await
}
