//! A unified line diff (`--- a` / `+++ b`, `@@` hunks with three lines of context), as
//! `rustfmt --check` and `terraform fmt -diff` print it, for `fmt --check`. Lines the two texts
//! share at the start and end are set aside first; the rest is compared with Myers' O(ND)
//! algorithm ("An O(ND) Difference Algorithm and Its Variations", 1986), which stops after
//! [`MAX_EDITS`] edits and then shows the remaining middle as removed and added whole, so a
//! huge, wholly different file costs time and memory bounded by that limit, not by its size.

/// Edits past which the middle of the two texts is shown as replaced whole.
const MAX_EDITS: usize = 1000;

/// Lines of context around each change.
const CONTEXT: usize = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Same,
    Removed,
    Added,
}

/// The unified diff from `old` to `new` with the two file labels, or an empty string when the
/// texts are equal.
pub fn unified(old: &str, new: &str, old_label: &str, new_label: &str) -> String {
    if old == new {
        return String::new();
    }
    // Lines keep their line ends, so that a missing last newline or a CRLF counts as a change.
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    let ops = line_ops(&a, &b);
    let mut out = format!("--- {old_label}\n+++ {new_label}\n");
    // (position in `ops`, line in `a`, line in `b`) of every op.
    let mut at = Vec::with_capacity(ops.len());
    let (mut i, mut j) = (0usize, 0usize);
    for op in &ops {
        at.push((i, j));
        match op {
            Op::Same => {
                i += 1;
                j += 1;
            }
            Op::Removed => i += 1,
            Op::Added => j += 1,
        }
    }
    let changed: Vec<usize> = (0..ops.len()).filter(|k| ops.get(*k) != Some(&Op::Same)).collect();
    let mut k = 0;
    while let Some(&first) = changed.get(k) {
        // A hunk runs over changes whose contexts touch or overlap.
        let mut last = first;
        while let Some(&next) = changed.get(k + 1) {
            if next > last + 2 * CONTEXT + 1 {
                break;
            }
            last = next;
            k += 1;
        }
        k += 1;
        let start = first.saturating_sub(CONTEXT);
        let end = (last + CONTEXT + 1).min(ops.len());
        let (a0, b0) = at.get(start).copied().unwrap_or((i, j));
        let hunk = ops.get(start..end).unwrap_or(&[]);
        let a_len = hunk.iter().filter(|o| **o != Op::Added).count();
        let b_len = hunk.iter().filter(|o| **o != Op::Removed).count();
        out.push_str(&format!("@@ -{} +{} @@\n", range(a0, a_len), range(b0, b_len)));
        for (op, (x, y)) in hunk.iter().zip(at.get(start..end).unwrap_or(&[])) {
            let (sign, line) = match op {
                Op::Same => (' ', a.get(*x)),
                Op::Removed => ('-', a.get(*x)),
                Op::Added => ('+', b.get(*y)),
            };
            let line = line.copied().unwrap_or("");
            out.push(sign);
            match line.strip_suffix('\n') {
                Some(text) => out.push_str(text),
                None => {
                    out.push_str(line);
                    out.push_str("\n\\ No newline at end of file");
                }
            }
            out.push('\n');
        }
    }
    out
}

/// `start,len` as unified diffs write a range (1-based; an empty range names the line before it).
fn range(start: usize, len: usize) -> String {
    match len {
        0 => format!("{start},0"),
        1 => format!("{}", start + 1),
        _ => format!("{},{len}", start + 1),
    }
}

/// The edit script from `a` to `b`: the common start, the middle and the common end.
fn line_ops(a: &[&str], b: &[&str]) -> Vec<Op> {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a_rest, b_rest) = (a.get(prefix..).unwrap_or(&[]), b.get(prefix..).unwrap_or(&[]));
    let suffix = a_rest.iter().rev().zip(b_rest.iter().rev()).take_while(|(x, y)| x == y).count();
    let a_mid = a_rest.get(..a_rest.len() - suffix).unwrap_or(&[]);
    let b_mid = b_rest.get(..b_rest.len() - suffix).unwrap_or(&[]);
    let mut ops = vec![Op::Same; prefix];
    match myers(a_mid, b_mid, MAX_EDITS) {
        Some(mid) => ops.extend(mid),
        None => {
            ops.extend(std::iter::repeat_n(Op::Removed, a_mid.len()));
            ops.extend(std::iter::repeat_n(Op::Added, b_mid.len()));
        }
    }
    ops.extend(std::iter::repeat_n(Op::Same, suffix));
    ops
}

/// Myers' shortest edit script, or `None` when it needs more than `max` edits. Keeps the
/// frontier of every step for the walk back: O((N + M) · D) time and O(D²) memory (8 MB at
/// the limit of 1,000 edits).
fn myers(a: &[&str], b: &[&str], max: usize) -> Option<Vec<Op>> {
    let (n, m) = (a.len() as isize, b.len() as isize);
    let limit = (a.len() + b.len()).min(max) as isize;
    let offset = limit + 1;
    let mut v = vec![0isize; 2 * offset as usize + 1];
    let mut trace: Vec<Vec<isize>> = Vec::new();
    let idx = |k: isize| (k + offset) as usize;
    for d in 0..=limit {
        let mut k = -d;
        while k <= d {
            let down = k == -d || (k != d && v.get(idx(k - 1)) < v.get(idx(k + 1)));
            let mut x = if down {
                v.get(idx(k + 1)).copied().unwrap_or(0)
            } else {
                v.get(idx(k - 1)).copied().unwrap_or(0) + 1
            };
            let mut y = x - k;
            while x < n && y < m && a.get(x as usize) == b.get(y as usize) {
                x += 1;
                y += 1;
            }
            if let Some(slot) = v.get_mut(idx(k)) {
                *slot = x;
            }
            if x >= n && y >= m {
                trace.push(frontier(&v, d));
                return Some(walk_back(&trace, n, m));
            }
            k += 2;
        }
        trace.push(frontier(&v, d));
    }
    None
}

/// The furthest x on each diagonal -d..=d after step `d` (`v` is indexed from -limit - 1).
fn frontier(v: &[isize], d: isize) -> Vec<isize> {
    let offset = (v.len() as isize - 1) / 2;
    v.get((offset - d) as usize..=(offset + d) as usize).unwrap_or(&[]).to_vec()
}

/// The edits that the frontiers of `trace` lead to, from the end back to the start.
fn walk_back(trace: &[Vec<isize>], n: isize, m: isize) -> Vec<Op> {
    let mut ops = Vec::new();
    let (mut x, mut y) = (n, m);
    for d in (1..trace.len() as isize).rev() {
        let Some(v) = trace.get(d as usize - 1) else { break };
        // The frontier of step d - 1 holds diagonals -(d - 1)..=d - 1.
        let idx = |k: isize| (k + d - 1) as usize;
        let k = x - y;
        let down = k == -d || (k != d && v.get(idx(k - 1)) < v.get(idx(k + 1)));
        let prev_k = if down { k + 1 } else { k - 1 };
        let prev_x = v.get(idx(prev_k)).copied().unwrap_or(0);
        let prev_y = prev_x - prev_k;
        while x > prev_x && y > prev_y {
            ops.push(Op::Same);
            x -= 1;
            y -= 1;
        }
        ops.push(if down { Op::Added } else { Op::Removed });
        x = prev_x;
        y = prev_y;
    }
    while x > 0 && y > 0 {
        ops.push(Op::Same);
        x -= 1;
        y -= 1;
    }
    ops.reverse();
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_hunks_with_three_lines_of_context() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\n";
        let new = "a\nB\nc\nd\ne\nf\ng\nh\ni\nj\nk\nm\nn\n";
        assert_eq!(
            unified(old, new, "f.kdl", "f.kdl (formatted)"),
            "--- f.kdl\n+++ f.kdl (formatted)\n@@ -1,5 +1,5 @@\n a\n-b\n+B\n c\n d\n e\n@@ -9,5 +9,5 @@\n i\n j\n k\n-l\n m\n+n\n"
        );
        assert_eq!(unified("x\n", "x\n", "a", "b"), "");
        assert_eq!(unified("", "x\n", "a", "b"), "--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n");
        assert_eq!(unified("x", "x\n", "a", "b"), "--- a\n+++ b\n@@ -1 +1 @@\n-x\n\\ No newline at end of file\n+x\n");
    }

    #[test]
    fn the_script_turns_one_text_into_the_other() {
        let cases = [("abcabba", "cbabac"), ("", "abc"), ("abc", ""), ("xaxbx", "ab"), ("aaaa", "aaba")];
        for (x, y) in cases {
            let a: Vec<String> = x.chars().map(String::from).collect();
            let b: Vec<String> = y.chars().map(String::from).collect();
            let a: Vec<&str> = a.iter().map(String::as_str).collect();
            let b: Vec<&str> = b.iter().map(String::as_str).collect();
            let ops = line_ops(&a, &b);
            let (mut i, mut j, mut rebuilt) = (0, 0, Vec::new());
            for op in &ops {
                match op {
                    Op::Same => {
                        assert_eq!(a.get(i), b.get(j));
                        rebuilt.push(b.get(j).copied().unwrap_or(""));
                        i += 1;
                        j += 1;
                    }
                    Op::Removed => i += 1,
                    Op::Added => {
                        rebuilt.push(b.get(j).copied().unwrap_or(""));
                        j += 1;
                    }
                }
            }
            assert_eq!((i, j, rebuilt), (a.len(), b.len(), b.clone()), "{x} -> {y}");
        }
        // Myers finds the shortest script: "abcabba" -> "cbabac" takes 5 edits.
        let a: Vec<&str> = "abcabba".split("").filter(|s| !s.is_empty()).collect();
        let b: Vec<&str> = "cbabac".split("").filter(|s| !s.is_empty()).collect();
        let edits = myers(&a, &b, 100).map(|ops| ops.iter().filter(|o| **o != Op::Same).count());
        assert_eq!(edits, Some(5));
    }

    #[test]
    fn past_the_edit_limit_the_middle_is_replaced_whole() {
        let old: String = (0..3000).map(|i| format!("old {i}\n")).collect();
        let new: String = (0..3000).map(|i| format!("new {i}\n")).collect();
        // Just inside the limit the script is still the shortest one.
        let a: Vec<String> = (0..400).map(|i| format!("{i}")).collect();
        let b: Vec<String> = (0..400).map(|i| format!("{}", if i % 2 == 0 { i } else { i + 1000 })).collect();
        let (a, b): (Vec<&str>, Vec<&str>) =
            (a.iter().map(String::as_str).collect(), b.iter().map(String::as_str).collect());
        let edits = myers(&a, &b, MAX_EDITS).map(|ops| ops.iter().filter(|o| **o != Op::Same).count());
        assert_eq!(edits, Some(400));
        let diff = unified(&format!("same\n{old}"), &format!("same\n{new}"), "a", "b");
        assert!(
            diff.starts_with("--- a\n+++ b\n@@ -1,3001 +1,3001 @@\n same\n-old 0\n"),
            "{}",
            diff.get(..80).unwrap_or("")
        );
        assert_eq!(diff.lines().filter(|l| l.starts_with('-') && !l.starts_with("---")).count(), 3000);
    }
}
