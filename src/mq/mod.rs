//! Message queues: the kernel keeps whole messages, in order, until a
//! reader takes them; the sender does not wait for the reader.
//!
//! Two flavours, with different strengths:
//!
//! | | [`posix`] (`mq_open`) | [`sysv`] (`msgget`) |
//! |---|---|---|
//! | named by | a name, `"/jobs"` | a [`Key`](crate::key::Key) (a number), or private |
//! | handle | an fd: close-on-exec, pollable | an id: no fd, nothing to close |
//! | order | highest [priority](posix::Priority) first, FIFO within one | FIFO, with [selection](sysv::Select) by a type field |
//! | receive | the next message | any, of type *t*, of the lowest type ≤ *t*, any but *t*, or a copy of the *n*-th |
//! | timeouts | absolute `CLOCK_REALTIME` deadlines | none (block, or not at all) |
//! | notification | [`mq_notify`](posix::Mq::notify): a signal or a pollable socket | none |
//! | limits (defaults) | 10 messages of 8192 bytes per queue (`/proc/sys/fs/mqueue`) | 16384 bytes per queue, 8192 per message (`/proc/sys/kernel/msgmnb`, `msgmax`) |
//!
//! Both outlive the processes that use them: a queue stays, with its
//! messages, until it is removed explicitly ([`posix::unlink`],
//! [`sysv::MsgQueue::remove`]) or the IPC namespace ends. Neither is
//! removed when a handle drops; opt-in guards do that for the creator
//! ([`posix::UnlinkOnDrop`], [`RemoveOnDrop`](crate::key::RemoveOnDrop)).

pub mod posix;
pub mod sysv;
