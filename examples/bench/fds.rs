//! The fd techniques: pipe, FIFO, the three unix socket types and eventfd.
//! Each side writes (or sends) its message and reads (or receives) the
//! answer: `write`+`read` or `sendto`+`recvfrom` per side, 4 syscalls per
//! round trip in both arms.

use std::ffi::CString;
use std::marker::PhantomData;

use bareipc::eventfd::{EventFd, EventFdFlags};
use bareipc::fifo::{self, CWD, FifoFlags};
use bareipc::pipe::{self, ReadEnd, WriteEnd};
use bareipc::socket::{self, Socket, SocketFlags, SocketType};

use crate::harness::{RoundTrip, Stream};
use crate::sys::{self, c_int, die, ok, pid_t};

/// A 64-byte aligned buffer, big enough for the largest message.
#[repr(C, align(64))]
pub struct Buf(pub [u8; MAX]);

/// The largest message: the 64 KiB stream size.
pub const MAX: usize = 65536;

impl Buf {
    pub fn new(fill: u8) -> Box<Buf> {
        Box::new(Buf([fill; MAX]))
    }
}

/// One process's side of a two-way channel.
pub trait Endpoint {
    /// Sends `b`; returns the bytes taken.
    fn put(&self, b: &[u8]) -> usize;
    /// Receives into `b`; returns the bytes got (0 at end of stream).
    fn get(&self, b: &mut [u8]) -> usize;
}

/// How a technique makes its two sides (the child's may be opened only
/// after the fork, as FIFOs are).
pub trait Make {
    type End: Endpoint;
    fn new() -> Self;
    fn parent(&mut self) -> Self::End;
    fn child(&mut self) -> Self::End;
}

/// The round trip (and the stream) over any [`Make`]: same shape in both
/// arms, only the endpoint calls differ.
pub struct Fds<M: Make> {
    make: M,
    end: Option<M::End>,
    size: usize,
    buf: Box<Buf>,
}

impl<M: Make> Fds<M> {
    fn build(size: usize) -> Self {
        Fds {
            make: M::new(),
            end: None,
            size,
            buf: Buf::new(0x5a),
        }
    }

    #[inline(always)]
    fn end(&self) -> &M::End {
        match &self.end {
            Some(e) => e,
            None => die("endpoint", "not opened"),
        }
    }

    /// Receives exactly `size` bytes (a stream read may return less).
    #[inline(always)]
    fn get_all(&mut self) {
        let size = self.size;
        let mut got = 0;
        while got < size {
            let e = match &self.end {
                Some(e) => e,
                None => die("endpoint", "not opened"),
            };
            let n = e.get(&mut self.buf.0[got..size]);
            if n == 0 {
                die("receive", "end of stream");
            }
            got += n;
        }
    }

    #[inline(always)]
    fn put_all(&self) {
        let n = self.end().put(&self.buf.0[..self.size]);
        if n != self.size {
            die("send", format!("short: {n} of {}", self.size));
        }
    }
}

impl<M: Make> RoundTrip for Fds<M> {
    fn new(size: usize) -> Self {
        Self::build(size)
    }
    fn child_init(&mut self, _: pid_t) {
        self.end = Some(self.make.child());
    }
    fn parent_init(&mut self, _: pid_t) {
        self.end = Some(self.make.parent());
    }
    #[inline(always)]
    fn echo(&mut self) {
        self.get_all();
        self.put_all();
    }
    #[inline(always)]
    fn ping(&mut self) {
        self.put_all();
        self.get_all();
    }
}

impl<M: Make> Stream for Fds<M> {
    fn new(size: usize) -> Self {
        Self::build(size)
    }
    fn child_init(&mut self, _: pid_t) {
        self.end = Some(self.make.child());
    }
    fn parent_init(&mut self, _: pid_t) {
        self.end = Some(self.make.parent());
    }
    #[inline(always)]
    fn send(&mut self) {
        self.put_all();
    }
    #[inline(always)]
    fn recv(&mut self) -> usize {
        let size = self.size;
        let n = match &self.end {
            Some(e) => e.get(&mut self.buf.0[..size]),
            None => die("endpoint", "not opened"),
        };
        if n == 0 {
            die("receive", "end of stream");
        }
        n
    }
}

// ------------------------------------------------------------- bare arm

/// A write end and a read end (pipes, FIFOs).
pub struct Duplex(WriteEnd, ReadEnd);

impl Endpoint for Duplex {
    #[inline(always)]
    fn put(&self, b: &[u8]) -> usize {
        ok(self.0.write(b), "write")
    }
    #[inline(always)]
    fn get(&self, b: &mut [u8]) -> usize {
        ok(self.1.read(b), "read")
    }
}

impl Endpoint for Socket {
    #[inline(always)]
    fn put(&self, b: &[u8]) -> usize {
        ok(self.send(b), "send")
    }
    #[inline(always)]
    fn get(&self, b: &mut [u8]) -> usize {
        ok(self.receive(b), "recv")
    }
}

/// Two eventfds: write adds 1 to the peer's, read takes ours (8 bytes).
pub struct EvPair(EventFd, EventFd);

impl Endpoint for EvPair {
    #[inline(always)]
    fn put(&self, _: &[u8]) -> usize {
        ok(self.0.write(1), "eventfd write");
        8
    }
    #[inline(always)]
    fn get(&self, _: &mut [u8]) -> usize {
        ok(self.1.read(), "eventfd read");
        8
    }
}

/// Takes a side made before the fork.
fn take<T>(o: &mut Option<T>) -> T {
    o.take().unwrap_or_else(|| die("endpoint", "taken twice"))
}

/// Two pipes, parent -> child and child -> parent.
pub struct PipeBare(Option<Duplex>, Option<Duplex>);

impl Make for PipeBare {
    type End = Duplex;
    fn new() -> Self {
        let (down_r, down_w) = ok(pipe::pipe(), "pipe2");
        let (up_r, up_w) = ok(pipe::pipe(), "pipe2");
        PipeBare(Some(Duplex(down_w, up_r)), Some(Duplex(up_w, down_r)))
    }
    fn parent(&mut self) -> Duplex {
        take(&mut self.0)
    }
    fn child(&mut self) -> Duplex {
        take(&mut self.1)
    }
}

/// A socketpair of one type.
pub struct SockBare<T: SockType>(Option<Socket>, Option<Socket>, PhantomData<T>);

/// The socket type of a [`SockBare`] / [`SockLibc`].
pub trait SockType {
    const BARE: SocketType;
    const LIBC: c_int;
}

pub struct StreamT;
pub struct DgramT;
pub struct SeqPacketT;

impl SockType for StreamT {
    const BARE: SocketType = SocketType::Stream;
    const LIBC: c_int = libc::SOCK_STREAM;
}
impl SockType for DgramT {
    const BARE: SocketType = SocketType::Datagram;
    const LIBC: c_int = libc::SOCK_DGRAM;
}
impl SockType for SeqPacketT {
    const BARE: SocketType = SocketType::SeqPacket;
    const LIBC: c_int = libc::SOCK_SEQPACKET;
}

impl<T: SockType> Make for SockBare<T> {
    type End = Socket;
    fn new() -> Self {
        let (a, b) = ok(socket::pair(T::BARE, SocketFlags::empty()), "socketpair");
        SockBare(Some(a), Some(b), PhantomData)
    }
    fn parent(&mut self) -> Socket {
        take(&mut self.0)
    }
    fn child(&mut self) -> Socket {
        take(&mut self.1)
    }
}

/// Two eventfds, one per direction.
pub struct EvBare(Option<EvPair>, Option<EvPair>);

impl Make for EvBare {
    type End = EvPair;
    fn new() -> Self {
        let ev = || ok(EventFd::new(0, EventFdFlags::empty()), "eventfd2");
        let (down, up) = (ev(), ev());
        let (down2, up2) = (ok(down.try_clone_fd(), "dup"), ok(up.try_clone_fd(), "dup"));
        EvBare(
            Some(EvPair(down, up)),
            Some(EvPair(EventFd::from(up2), EventFd::from(down2))),
        )
    }
    fn parent(&mut self) -> EvPair {
        take(&mut self.0)
    }
    fn child(&mut self) -> EvPair {
        take(&mut self.1)
    }
}

trait TryCloneFd {
    fn try_clone_fd(&self) -> std::io::Result<std::os::fd::OwnedFd>;
}

impl<T: std::os::fd::AsFd> TryCloneFd for T {
    fn try_clone_fd(&self) -> std::io::Result<std::os::fd::OwnedFd> {
        self.as_fd().try_clone_to_owned()
    }
}

/// A private directory holding the two FIFOs `down` and `up`.
pub struct FifoDir {
    dir: std::path::PathBuf,
}

impl FifoDir {
    fn new() -> Self {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "bareipc-bench-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        ok(
            std::os::unix::fs::DirBuilderExt::mode(&mut std::fs::DirBuilder::new(), 0o700)
                .create(&dir),
            "mkdir",
        );
        FifoDir { dir }
    }
    fn path(&self, name: &str) -> std::path::PathBuf {
        self.dir.join(name)
    }
    fn cpath(&self, name: &str) -> CString {
        CString::new(self.path(name).into_os_string().into_encoded_bytes())
            .unwrap_or_else(|e| die("path", e))
    }
}

impl Drop for FifoDir {
    fn drop(&mut self) {
        // Only the parent cleans up (the child is killed, never dropped).
        let _ = std::fs::remove_file(self.path("down"));
        let _ = std::fs::remove_file(self.path("up"));
        let _ = std::fs::remove_dir(&self.dir);
    }
}

/// Two FIFOs, opened after the fork (an open waits for the other side):
/// the parent opens `down` to write then `up` to read, the child the other
/// way round.
pub struct FifoBare(FifoDir);

impl Make for FifoBare {
    type End = Duplex;
    fn new() -> Self {
        let d = FifoDir::new();
        ok(fifo::create(CWD, &*d.path("down")), "mkfifo");
        ok(fifo::create(CWD, &*d.path("up")), "mkfifo");
        FifoBare(d)
    }
    fn parent(&mut self) -> Duplex {
        let w = ok(
            fifo::open(CWD, &*self.0.path("down"), FifoFlags::empty()),
            "open",
        );
        let r = ok(
            fifo::open(CWD, &*self.0.path("up"), FifoFlags::empty()),
            "open",
        );
        Duplex(w, r)
    }
    fn child(&mut self) -> Duplex {
        let r = ok(
            fifo::open(CWD, &*self.0.path("down"), FifoFlags::empty()),
            "open",
        );
        let w = ok(
            fifo::open(CWD, &*self.0.path("up"), FifoFlags::empty()),
            "open",
        );
        Duplex(w, r)
    }
}

// ------------------------------------------------------------- libc arm

/// `write`/`read` on two fds (pipes, FIFOs, eventfds).
pub struct RwFds {
    tx: c_int,
    rx: c_int,
}

impl Endpoint for RwFds {
    #[inline(always)]
    fn put(&self, b: &[u8]) -> usize {
        sys::write(self.tx, b)
    }
    #[inline(always)]
    fn get(&self, b: &mut [u8]) -> usize {
        sys::read(self.rx, b)
    }
}

impl Drop for RwFds {
    fn drop(&mut self) {
        sys::close(self.tx);
        if self.rx != self.tx {
            sys::close(self.rx);
        }
    }
}

/// `send`/`recv` on one socket.
pub struct SockFd(c_int);

impl Endpoint for SockFd {
    #[inline(always)]
    fn put(&self, b: &[u8]) -> usize {
        sys::send(self.0, b)
    }
    #[inline(always)]
    fn get(&self, b: &mut [u8]) -> usize {
        sys::recv(self.0, b)
    }
}

impl Drop for SockFd {
    fn drop(&mut self) {
        sys::close(self.0);
    }
}

/// Two pipes.
pub struct PipeLibc(Option<RwFds>, Option<RwFds>);

impl Make for PipeLibc {
    type End = RwFds;
    fn new() -> Self {
        let (down_r, down_w) = sys::pipe();
        let (up_r, up_w) = sys::pipe();
        PipeLibc(
            Some(RwFds {
                tx: down_w,
                rx: up_r,
            }),
            Some(RwFds {
                tx: up_w,
                rx: down_r,
            }),
        )
    }
    fn parent(&mut self) -> RwFds {
        take(&mut self.0)
    }
    fn child(&mut self) -> RwFds {
        take(&mut self.1)
    }
}

/// Two eventfds; the 8-byte message holds 1, the value each write adds.
pub struct EvLibc(Option<RwFds>, Option<RwFds>);

impl Make for EvLibc {
    type End = RwFds;
    fn new() -> Self {
        let (down, up) = (sys::eventfd(), sys::eventfd());
        // SAFETY: dup takes an integer; the result is checked.
        let dup = |fd| sys::lc(unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 0) }, "dup");
        let (down2, up2) = (dup(down), dup(up));
        EvLibc(
            Some(RwFds { tx: down, rx: up }),
            Some(RwFds { tx: up2, rx: down2 }),
        )
    }
    fn parent(&mut self) -> RwFds {
        take(&mut self.0)
    }
    fn child(&mut self) -> RwFds {
        take(&mut self.1)
    }
}

/// A socketpair.
pub struct SockLibc<T: SockType>(Option<SockFd>, Option<SockFd>, PhantomData<T>);

impl<T: SockType> Make for SockLibc<T> {
    type End = SockFd;
    fn new() -> Self {
        let (a, b) = sys::socketpair(T::LIBC);
        SockLibc(Some(SockFd(a)), Some(SockFd(b)), PhantomData)
    }
    fn parent(&mut self) -> SockFd {
        take(&mut self.0)
    }
    fn child(&mut self) -> SockFd {
        take(&mut self.1)
    }
}

/// Two FIFOs, opened after the fork.
pub struct FifoLibc(FifoDir);

impl Make for FifoLibc {
    type End = RwFds;
    fn new() -> Self {
        let d = FifoDir::new();
        sys::mkfifo(&d.cpath("down"));
        sys::mkfifo(&d.cpath("up"));
        FifoLibc(d)
    }
    fn parent(&mut self) -> RwFds {
        let tx = sys::open(&self.0.cpath("down"), libc::O_WRONLY);
        let rx = sys::open(&self.0.cpath("up"), libc::O_RDONLY);
        RwFds { tx, rx }
    }
    fn child(&mut self) -> RwFds {
        let rx = sys::open(&self.0.cpath("down"), libc::O_RDONLY);
        let tx = sys::open(&self.0.cpath("up"), libc::O_WRONLY);
        RwFds { tx, rx }
    }
}
