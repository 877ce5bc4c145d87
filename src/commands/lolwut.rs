//! LOLWUT: a piece of computer art per server version.
//!
//! Valkey 9's own piece (the default) is an ASCII rendering of a Julia set;
//! `LOLWUT VERSION 5` draws Georg Nees' "Schotter" in braille characters;
//! versions without art print the version line. Random constants make the
//! art differ on every call, like Valkey's.

use crate::server::{err, CmdError};
use crate::util::num::parse_i64;
use bytes::Bytes;

/// Render LOLWUT for `version` ("9.1.0", or "5.0.0" after VERSION 5) with
/// the version-specific arguments.
pub fn render(version: &str, args: &[Bytes]) -> Result<String, CmdError> {
    let b = version.as_bytes();
    let is = |major: u8, minor9: bool| {
        b.len() >= 3 && b[0] == major && b[1] == b'.' && ((b[2] == b'9') == minor9)
    };
    if is(b'5', false) || is(b'4', true) {
        return schotter(args);
    }
    if b.first() == Some(&b'9') {
        return julia(args);
    }
    Ok(format!("Valkey ver. {}\n", crate::VALKEY_VERSION))
}

/// A pseudo-random float in [0, 1] (C's `rand() / (float)RAND_MAX`).
fn rand01(seed: &mut u64) -> f32 {
    *seed = crate::util::rand::splitmix(*seed);
    (*seed >> 40) as f32 / ((1u64 << 24) - 1) as f32
}

/// LOLWUT 9: [columns rows] [real imaginary] — the Julia set of
/// z² + c drawn with characters of increasing density.
fn julia(args: &[Bytes]) -> Result<String, CmdError> {
    const SHADES: &[u8] = b" .:-=+*%#&@";
    if args.len() == 1 || args.len() == 3 || args.len() > 4 {
        return Err("ERR Syntax error. Use: LOLWUT [columns rows] [real imaginary]".into());
    }
    let cols = arg_long(args, 0, 80)?.clamp(1, 160) as usize;
    let rows = arg_long(args, 1, 40)?.clamp(1, 80) as usize;
    let (cr, ci) = if args.len() == 4 {
        let f = |a: &Bytes| {
            crate::util::num::parse_f64(a)
                .map(|v| v as f32)
                .ok_or_else(|| CmdError::from(err::NOT_FLOAT))
        };
        (f(&args[2])?, f(&args[3])?)
    } else {
        let mut seed = crate::util::time::now_us() as u64;
        (rand01(&mut seed) * 2.0 - 1.0, rand01(&mut seed) * 2.0 - 1.0)
    };
    // Iterations before escaping (capped at the darkest shade).
    let max_iter = SHADES.len();
    let escape = |mut x: f32, mut y: f32| {
        for i in 0..max_iter {
            let nx = x * x - y * y + cr;
            let ny = 2.0 * x * y + ci;
            x = nx;
            y = ny;
            if x * x + y * y > 4.0 {
                return i;
            }
        }
        max_iter - 1
    };
    let mut out = String::with_capacity((cols + 1) * rows + 96);
    for i in 0..rows {
        for j in 0..cols {
            let x = -2.0f32 + 4.0 * (j as f32 + 0.5) / cols as f32;
            let y = 2.0f32 - 4.0 * (i as f32 + 0.5) / rows as f32;
            out.push(SHADES[escape(x, y) % SHADES.len()] as char);
        }
        out.push('\n');
    }
    out.push_str(&format!(
        "Ascii representation of Julia set with constant {cr:.2} + {ci:.2}i\n"
    ));
    out.push_str("Don't forget to have fun! Valkey ver. ");
    out.push_str(crate::VALKEY_VERSION);
    out.push('\n');
    Ok(out)
}

/// A 1-bit canvas.
struct Canvas {
    width: i32,
    height: i32,
    pixels: Vec<bool>,
}

impl Canvas {
    fn new(width: i32, height: i32) -> Canvas {
        Canvas {
            width,
            height,
            pixels: vec![false; (width.max(0) as usize) * (height.max(0) as usize)],
        }
    }

    fn set(&mut self, x: i32, y: i32) {
        if x >= 0 && x < self.width && y >= 0 && y < self.height {
            self.pixels[(x + y * self.width) as usize] = true;
        }
    }

    fn get(&self, x: i32, y: i32) -> bool {
        x >= 0
            && x < self.width
            && y >= 0
            && y < self.height
            && self.pixels[(x + y * self.width) as usize]
    }

    /// Bresenham line.
    fn line(&mut self, mut x1: i32, mut y1: i32, x2: i32, y2: i32) {
        let dx = (x2 - x1).abs();
        let dy = (y2 - y1).abs();
        let sx = if x1 < x2 { 1 } else { -1 };
        let sy = if y1 < y2 { 1 } else { -1 };
        let mut e = dx - dy;
        loop {
            self.set(x1, y1);
            if x1 == x2 && y1 == y2 {
                break;
            }
            let e2 = e * 2;
            if e2 > -dy {
                e -= dy;
                x1 += sx;
            }
            if e2 < dx {
                e += dx;
                y1 += sy;
            }
        }
    }

    /// A square centred at (x, y), rotated by `angle`.
    fn square(&mut self, x: i32, y: i32, size: f32, angle: f32) {
        let size = (size / std::f32::consts::SQRT_2).round();
        let mut k = std::f32::consts::FRAC_PI_4 + angle;
        let mut px = [0i32; 4];
        let mut py = [0i32; 4];
        for j in 0..4 {
            px[j] = ((k as f64).sin() * size as f64 + x as f64).round() as i32;
            py[j] = ((k as f64).cos() * size as f64 + y as f64).round() as i32;
            k += std::f32::consts::FRAC_PI_2;
        }
        for j in 0..4 {
            self.line(px[j], py[j], px[(j + 1) % 4], py[(j + 1) % 4]);
        }
    }

    /// Braille rendering: each character holds a 2x4 pixel block.
    fn render(&self) -> String {
        let mut out = String::new();
        let mut y = 0;
        while y < self.height {
            let mut x = 0;
            while x < self.width {
                let bits = [
                    (x, y),
                    (x, y + 1),
                    (x, y + 2),
                    (x + 1, y),
                    (x + 1, y + 1),
                    (x + 1, y + 2),
                    (x, y + 3),
                    (x + 1, y + 3),
                ];
                let mut byte = 0u32;
                for (i, &(px, py)) in bits.iter().enumerate() {
                    if self.get(px, py) {
                        byte |= 1 << i;
                    }
                }
                out.push(char::from_u32(0x2800 + byte).unwrap_or(' '));
                x += 2;
            }
            if y != self.height - 1 {
                out.push('\n');
            }
            y += 4;
        }
        out
    }
}

fn arg_long(args: &[Bytes], i: usize, default: i64) -> Result<i64, CmdError> {
    match args.get(i) {
        Some(a) => parse_i64(a).ok_or_else(|| err::NOT_INT.into()),
        None => Ok(default),
    }
}

/// LOLWUT 5: [columns] [squares per row] [squares per column].
fn schotter(args: &[Bytes]) -> Result<String, CmdError> {
    let cols = arg_long(args, 0, 66)?.clamp(1, 1000) as i32;
    let per_row = arg_long(args, 1, 8)?.clamp(1, 200) as i32;
    let per_col = arg_long(args, 2, 12)?.clamp(1, 200) as i32;
    let mut seed = crate::util::time::now_us() as u64;
    let mut rand01 = || {
        seed = crate::util::rand::splitmix(seed);
        (seed >> 11) as f32 / (1u64 << 53) as f32
    };
    let width = cols * 2;
    let padding = if width > 4 { 2 } else { 0 };
    let side = (width - padding * 2) as f32 / per_row as f32;
    let height = (side * per_col as f32 + (padding * 2) as f32) as i32;
    let mut canvas = Canvas::new(width, height);
    for y in 0..per_col {
        for x in 0..per_row {
            let mut sx = (x as f32 * side + side / 2.0 + padding as f32) as i32;
            let mut sy = (y as f32 * side + side / 2.0 + padding as f32) as i32;
            let mut angle = 0.0f32;
            if y > 1 {
                let mut r = [0f32; 3];
                for v in r.iter_mut() {
                    *v = rand01() / per_col as f32 * y as f32;
                }
                for v in r.iter_mut() {
                    if rand01() < 0.5 {
                        *v = -*v;
                    }
                }
                angle = r[0];
                sx = (sx as f32 + r[1] * side / 3.0) as i32;
                sy = (sy as f32 + r[2] * side / 3.0) as i32;
            }
            canvas.square(sx, sy, side, angle);
        }
    }
    let mut out = canvas.render();
    out.push_str("\nGeorg Nees - schotter, plotter on paper, 1968. Valkey ver. ");
    out.push_str(crate::VALKEY_VERSION);
    out.push('\n');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_without_art_print_the_version() {
        assert_eq!(render("7.0.0", &[]).unwrap(), "Valkey ver. 9.1.0\n");
        assert_eq!(render("8.0.0", &[]).unwrap(), "Valkey ver. 9.1.0\n");
    }

    #[test]
    fn julia_set() {
        let b = |v: &[&str]| {
            v.iter()
                .map(|s| Bytes::from(s.to_string()))
                .collect::<Vec<_>>()
        };
        let out = render("9.1.0", &b(&["5", "3", "0", "0"])).unwrap();
        // c = 0: the unit disc never escapes (darkest shade), corners
        // escape at once, points just outside after one step.
        assert_eq!(
            out,
            "  .  \n @@@ \n  .  \nAscii representation of Julia set with constant 0.00 + 0.00i\nDon't forget to have fun! Valkey ver. 9.1.0\n"
        );
        let default = render("9.1.0", &[]).unwrap();
        assert_eq!(default.lines().count(), 42);
        assert!(default.lines().take(40).all(|l| l.len() == 80));
        assert!(render("9.1.0", &b(&["10"])).is_err());
        assert!(render("9.1.0", &b(&["10", "5", "x", "1"])).is_err());
    }

    #[test]
    fn schotter_shape() {
        let out = render("5.0.0", &[Bytes::from_static(b"10")]).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        // 10 columns of braille, then the caption line.
        assert_eq!(lines[0].chars().count(), 10);
        assert!(lines.last().unwrap().ends_with("Valkey ver. 9.1.0"));
        assert!(render("5.0.0", &[Bytes::from_static(b"x")]).is_err());
    }
}
