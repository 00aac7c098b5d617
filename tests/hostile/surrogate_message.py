# expect: runtime_error
# attack: raise an exception whose message holds a lone surrogate (unencodable in UTF-8), to crash the text report

def solve(seed, x, features, kernel_size):
    raise ValueError("broken \ud800 text")
