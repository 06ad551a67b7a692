"""Drive a program through a pseudo-terminal, as a person at a keyboard.

usage: pty_drive.py HOME CMD... < keystrokes
Each line of stdin is typed and ended with Enter; "<TAB>" inside it
sends a Tab; a line "<EOF>" sends Ctrl-D, "<INT>" Ctrl-C.  Prints what
the program wrote to the terminal, then its exit status; a program that
has not ended 5 s after the last key is killed.
"""
import os, pty, select, signal, sys, time

def main():
    home, cmd = sys.argv[1], sys.argv[2:]
    keys = sys.stdin.read().split("\n")
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["HOME"] = home
        os.environ["TERM"] = "dumb"
        os.execvp(cmd[0], cmd)
    out = bytearray()

    def drain(wait):
        end = time.time() + wait
        while True:
            r, _, _ = select.select([fd], [], [], max(0, end - time.time()))
            if not r:
                return True
            try:
                data = os.read(fd, 4096)
            except OSError:
                return False
            if not data:
                return False
            out.extend(data)

    drain(0.5)
    for k in keys:
        if k == "":
            continue
        if k in ("<EOF>", "<INT>"):
            k = "\x04" if k == "<EOF>" else "\x03"
        else:
            k = k.replace("<TAB>", "\t") + "\n"
        os.write(fd, k.encode())
        if not drain(0.4):
            break
    end = time.time() + 5
    status = None
    while time.time() < end:
        drain(0.2)
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = st
            break
    if status is None:
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    drain(0.1)
    sys.stdout.write(out.decode("utf-8", "replace").replace("\r", ""))
    sys.stdout.write("\n[exit %d]\n" % os.waitstatus_to_exitcode(status))

main()
