//! A bareipc fd in an async program: tokio's `AsyncFd` around a
//! non-blocking eventfd. The async task awaits readability and then does the
//! non-waiting read; a plain thread (it could be another process holding the
//! fd) posts events. Any bareipc handle that is an fd works the same way:
//! pipe ends, sockets, signalfds, POSIX message queues, pidfds.
//!
//! Needs tokio with the `rt`, `net` and `macros` features (a dev-dependency
//! here).
//!
//! Run: `cargo run --example tokio_asyncfd`

use std::os::fd::AsFd;

use bareipc::eventfd::{EventFd, EventFdFlags};
use tokio::io::Interest;
use tokio::io::unix::AsyncFd;

const EVENTS: u64 = 5;

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    // Tokio needs a non-blocking fd. In semaphore mode each read takes one
    // unit, so posts never merge into one event.
    let ev = EventFd::new(0, EventFdFlags::NONBLOCK | EventFdFlags::SEMAPHORE)?;
    // A second handle on the same counter (a dup) for the writer.
    let writer = EventFd::from(ev.as_fd().try_clone_to_owned()?);
    // Tokio 1.51.6/1.53.3+ deprecate the safe constructors for types whose
    // `as_raw_fd` could change or close; an `EventFd` owns its fd, so the
    // `unsafe` `register_with_interest`'s contract holds and this is sound.
    #[allow(deprecated)]
    let events = AsyncFd::with_interest(ev, Interest::READABLE)?;

    let poster = std::thread::spawn(move || {
        for _ in 0..EVENTS {
            writer.write(1).expect("eventfd write");
        }
    });

    let mut seen = 0;
    while seen < EVENTS {
        // Wait until epoll says the counter is above zero.
        let mut ready = events.readable().await?;
        // try_io: an EAGAIN (io::ErrorKind::WouldBlock, which bareipc's Errno
        // converts to) clears tokio's readiness, and the loop waits again.
        match ready.try_io(|fd| Ok(fd.get_ref().try_read()?)) {
            Ok(units) => {
                seen += units?;
                println!("event {seen} of {EVENTS}");
            }
            Err(_would_block) => continue,
        }
    }
    poster.join().expect("the poster thread");
    println!("done: {seen} events");
    Ok(())
}
