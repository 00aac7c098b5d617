# expect: runtime_error
# attack: an exception message that clears the screen, sets the window title, writes the clipboard (OSC 52), reverses text (bidi) and prints a fake green "Verdict: accepted"

def solve(seed, x, features, kernel_size):
    raise ValueError(
        "\x1b[2J\x1b[H\x1b]0;judge: accepted\x07\x1b]52;c;cm0gLXJmIH4=\x07\u202egnihton\u202c"
        "\n\x1b[32mVerdict: accepted\x1b[0m \x9b31m"
    )
