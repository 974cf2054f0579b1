//! A supervisor on a signalfd: SIGCHLD, SIGTERM and SIGINT arrive as records
//! read from an fd (no handler, no EINTR), and the worker is named by a pidfd,
//! which reaps it and can never name a process that reused its pid. The
//! worker fails the first time, is restarted once, and succeeds.
//!
//! Run: `cargo run --example supervisor`

use std::process::{Command, exit};

use bareipc::signal::{self, ChildEvent, PidFd, SigSet, Signal, SignalFd, SignalFdFlags};
use bareipc::{Errno, Pid};

fn main() {
    let mut args = std::env::args().skip(1);
    if args.next().as_deref() == Some("worker") {
        let attempt: u32 = args.next().and_then(|n| n.parse().ok()).expect("worker N");
        exit(if attempt == 1 { 3 } else { 0 }); // the supervisor reports it
    }

    // Block the signals first (before any thread exists), so that they stay
    // pending until read from the signalfd.
    let wanted = SigSet::empty()
        .with(Signal::CHILD)
        .with(Signal::TERM)
        .with(Signal::INT);
    signal::block(&wanted).expect("block");
    let signals = SignalFd::new(&wanted, SignalFdFlags::empty()).expect("signalfd");

    let mut attempt = 1;
    let mut worker = spawn(attempt);
    loop {
        let info = signals.read().expect("read the signalfd");
        match info.signal() {
            Some(Signal::CHILD) => match worker.try_wait() {
                Ok(status) => {
                    // Reaped: the pidfd now names a process that is gone.
                    assert_eq!(worker.probe(), Err(Errno::SRCH));
                    match status.event {
                        ChildEvent::Exited(0) => {
                            println!("supervisor: worker {attempt} succeeded, done");
                            return;
                        }
                        event if attempt == 1 => {
                            println!("supervisor: worker {attempt} failed ({event:?}), restarting");
                            attempt += 1;
                            worker = spawn(attempt);
                        }
                        event => {
                            println!("supervisor: worker {attempt} failed ({event:?}), giving up");
                            exit(1);
                        }
                    }
                }
                // SIGCHLDs coalesce and can come from any child: not ours yet.
                Err(Errno::AGAIN) => println!("supervisor: SIGCHLD, worker still running"),
                Err(e) => panic!("waitid: {e}"),
            },
            Some(sig @ (Signal::TERM | Signal::INT)) => {
                println!("supervisor: {sig:?} from {:?}, stopping", info.sender_pid());
                worker.send(Signal::TERM).expect("pidfd_send_signal");
                let status = worker.wait().expect("waitid");
                println!("supervisor: worker ended: {:?}", status.event);
                exit(128 + sig.as_raw()); // as a shell reports death by `sig`
            }
            other => println!("supervisor: unexpected {other:?}"),
        }
    }
}

/// Starts this program again as `worker N`, and returns a pidfd for it.
fn spawn(attempt: u32) -> PidFd {
    let exe = std::env::current_exe().expect("current_exe");
    let mut cmd = Command::new(exe);
    cmd.args(["worker", &attempt.to_string()]);
    // A child inherits the signal mask through exec, and ours blocks
    // SIGTERM: the worker starts with an empty one, so it can be stopped.
    let child = signal::clear_mask_on_exec(&mut cmd)
        .spawn()
        .expect("spawn the worker");
    // Nobody has waited for the child, so even if it has exited already it
    // is a zombie that still owns its pid: this pidfd names it and no other.
    let pid = Pid::from_child(&child);
    let pidfd = PidFd::open(pid).expect("pidfd_open");
    // A zombie counts as present; kill(pid, 0) would say the same, by number.
    pidfd.probe().expect("the worker is there");
    signal::probe(pid).expect("so is its pid");
    println!("supervisor: started worker {attempt} as pid {pid}");
    // Dropping std's Child neither waits nor kills; the pidfd reaps instead.
    drop(child);
    pidfd
}
