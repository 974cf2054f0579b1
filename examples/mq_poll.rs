//! A POSIX message queue between a producer and a consumer process, where
//! the consumer polls the queue beside its stdin (a pipe from the producer):
//! messages come out highest priority first, and end of file on stdin means
//! "stop". A queue is an fd like any other, so one `poll` waits for both.
//!
//! Run: `cargo run --example mq_poll`

use std::os::fd::{AsFd, OwnedFd};
use std::process::{Command, Stdio};

use bareipc::Errno;
use bareipc::mq::posix::{self, Access, Capacity, DEFAULT_MODE, Mq, OpenFlags, Priority};
use bareipc::pipe::ReadEnd;
use bareipc::poll::{self, PollFd, PollFlags};

const SIZE: usize = 64; // the largest message

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("consumer") {
        return consumer(&args[2]);
    }

    // A name of our own, removed when `_unlink` drops (even on a panic).
    let name = format!("/bareipc-mq-poll-{}", std::process::id());
    let capacity = Capacity {
        max_messages: 8,
        message_size: SIZE,
    };
    let queue = posix::create(&name, Access::WriteOnly, DEFAULT_MODE, Some(capacity));
    let queue = queue.expect("mq_open");
    let _unlink = posix::UnlinkOnDrop::new(&name).expect("a valid name");

    // A backlog before the consumer exists: messages outlive their sender.
    for (text, prio) in [("routine", 1), ("urgent", 9), ("normal", 5)] {
        let prio = Priority::new(prio).expect("0 to 32767");
        queue.send(text.as_bytes(), prio).expect("send");
    }

    // The consumer's stdin is the read end of a pipe; it gets no other fd
    // of ours (every fd the crate makes is close-on-exec).
    let (read_end, write_end) = bareipc::pipe::pipe().expect("pipe");
    let mut consumer = Command::new(std::env::current_exe().expect("current_exe"))
        .args(["consumer", &name])
        .stdin(Stdio::from(OwnedFd::from(read_end)))
        .spawn()
        .expect("spawn the consumer");

    // Sent while the consumer runs, at the lowest priority, so it comes out
    // last whether or not the backlog has been drained yet.
    queue.send(b"late", Priority::MIN).expect("send");
    drop(write_end); // end of file on the consumer's stdin: stop

    let status = consumer.wait().expect("wait");
    assert!(status.success(), "consumer failed: {status}");
    println!("producer: consumer finished, removing {name}");
}

fn consumer(name: &str) {
    let queue = posix::open(name, Access::ReadOnly, OpenFlags::empty()).expect("mq_open");
    // Our own fd for stdin (a dup), as a pipe end.
    let stdin = ReadEnd::from(std::io::stdin().as_fd().try_clone_to_owned().expect("dup"));
    let mut received = Vec::new();
    loop {
        let mut fds = [
            PollFd::new(&queue, PollFlags::IN),
            PollFd::new(&stdin, PollFlags::IN),
        ];
        poll::poll(&mut fds, None).expect("poll");
        let (queue_ready, stdin_ready) = (fds[0].revents(), fds[1].revents());
        if queue_ready.contains(PollFlags::IN) {
            drain(&queue, &mut received);
        }
        // Readable or hung up: the producer wrote, or closed its end.
        if !stdin_ready.is_empty() && stdin.read(&mut [0u8; 1]).expect("read stdin") == 0 {
            // Everything was sent before the pipe was closed: take the rest.
            drain(&queue, &mut received);
            break;
        }
    }
    println!("consumer: stdin closed, {} messages, done", received.len());
    assert_eq!(received, ["urgent", "normal", "routine", "late"]);
}

/// Takes every message waiting, without blocking.
fn drain(queue: &Mq, received: &mut Vec<String>) {
    // The buffer must hold the largest message the queue accepts.
    let mut buf = [0u8; SIZE];
    loop {
        match queue.try_receive(&mut buf) {
            Ok((len, prio)) => {
                let text = String::from_utf8_lossy(&buf[..len]).into_owned();
                println!("consumer: priority {}: {text}", prio.get());
                received.push(text);
            }
            Err(Errno::AGAIN) => return, // empty
            Err(e) => panic!("mq_timedreceive: {e}"),
        }
    }
}
