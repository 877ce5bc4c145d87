//! Geohash encoding and distances for the GEO commands, bit-for-bit as
//! Valkey computes them (geohash.c, geohash_helper.c), so stored scores,
//! GEOHASH strings and GEOPOS/GEODIST digits are the same.
//!
//! A position is a 52-bit interleaving of 26-bit latitude and longitude
//! cells (latitude limited to the Web Mercator range ±85.05112878°); the
//! integer is the member's sorted-set score. Radius and box searches look
//! at the cell holding the center plus its 8 neighbours, at a precision
//! estimated from the radius.

pub const STEP_MAX: u8 = 26;
pub const LAT_MIN: f64 = -85.05112878;
pub const LAT_MAX: f64 = 85.05112878;
pub const LONG_MIN: f64 = -180.0;
pub const LONG_MAX: f64 = 180.0;
pub const EARTH_RADIUS_IN_METERS: f64 = 6372797.560856;
const MERCATOR_MAX: f64 = 20037726.37;
const D_R: f64 = std::f64::consts::PI / 180.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Bits {
    pub bits: u64,
    pub step: u8,
}

impl Bits {
    fn is_zero(&self) -> bool {
        self.bits == 0 && self.step == 0
    }
}

#[derive(Clone, Copy, Debug, Default)]
pub struct Area {
    pub lat_min: f64,
    pub lat_max: f64,
    pub lon_min: f64,
    pub lon_max: f64,
}

#[inline]
fn deg_rad(a: f64) -> f64 {
    a * D_R
}

#[inline]
fn rad_deg(a: f64) -> f64 {
    a / D_R
}

fn interleave64(xlo: u32, ylo: u32) -> u64 {
    const B: [u64; 5] = [
        0x5555555555555555,
        0x3333333333333333,
        0x0F0F0F0F0F0F0F0F,
        0x00FF00FF00FF00FF,
        0x0000FFFF0000FFFF,
    ];
    const S: [u32; 5] = [1, 2, 4, 8, 16];
    let mut x = xlo as u64;
    let mut y = ylo as u64;
    for i in (0..5).rev() {
        x = (x | (x << S[i])) & B[i];
        y = (y | (y << S[i])) & B[i];
    }
    x | (y << 1)
}

fn deinterleave64(interleaved: u64) -> u64 {
    const B: [u64; 6] = [
        0x5555555555555555,
        0x3333333333333333,
        0x0F0F0F0F0F0F0F0F,
        0x00FF00FF00FF00FF,
        0x0000FFFF0000FFFF,
        0x00000000FFFFFFFF,
    ];
    const S: [u32; 6] = [0, 1, 2, 4, 8, 16];
    let mut x = interleaved;
    let mut y = interleaved >> 1;
    for i in 0..6 {
        x = (x | (x >> S[i])) & B[i];
        y = (y | (y >> S[i])) & B[i];
    }
    x | (y << 32)
}

/// Encode with explicit ranges (Valkey's `geohashEncode`).
pub fn encode(
    lon_range: (f64, f64),
    lat_range: (f64, f64),
    lon: f64,
    lat: f64,
    step: u8,
) -> Option<Bits> {
    if step == 0 || step > 32 {
        return None;
    }
    if !(LONG_MIN..=LONG_MAX).contains(&lon) || !(LAT_MIN..=LAT_MAX).contains(&lat) {
        return None;
    }
    if lat < lat_range.0 || lat > lat_range.1 || lon < lon_range.0 || lon > lon_range.1 {
        return None;
    }
    let mut lat_off = (lat - lat_range.0) / (lat_range.1 - lat_range.0);
    let mut lon_off = (lon - lon_range.0) / (lon_range.1 - lon_range.0);
    lat_off *= (1u64 << step) as f64;
    lon_off *= (1u64 << step) as f64;
    Some(Bits {
        bits: interleave64(lat_off as u32, lon_off as u32),
        step,
    })
}

/// Encode on the WGS84 / Mercator ranges used for scores.
pub fn encode_wgs84(lon: f64, lat: f64, step: u8) -> Option<Bits> {
    encode((LONG_MIN, LONG_MAX), (LAT_MIN, LAT_MAX), lon, lat, step)
}

pub fn decode(lon_range: (f64, f64), lat_range: (f64, f64), h: Bits) -> Area {
    let sep = deinterleave64(h.bits);
    let lat_scale = lat_range.1 - lat_range.0;
    let lon_scale = lon_range.1 - lon_range.0;
    let ilato = sep as u32;
    let ilono = (sep >> 32) as u32;
    let div = (1u64 << h.step) as f64;
    Area {
        lat_min: lat_range.0 + (ilato as f64 * 1.0 / div) * lat_scale,
        lat_max: lat_range.0 + ((ilato as f64 + 1.0) * 1.0 / div) * lat_scale,
        lon_min: lon_range.0 + (ilono as f64 * 1.0 / div) * lon_scale,
        lon_max: lon_range.0 + ((ilono as f64 + 1.0) * 1.0 / div) * lon_scale,
    }
}

pub fn decode_wgs84(h: Bits) -> Area {
    decode((LONG_MIN, LONG_MAX), (LAT_MIN, LAT_MAX), h)
}

/// The center of a cell, clamped to the valid ranges: (lon, lat).
pub fn area_center(a: &Area) -> (f64, f64) {
    let lon = ((a.lon_min + a.lon_max) / 2.0).clamp(LONG_MIN, LONG_MAX);
    let lat = ((a.lat_min + a.lat_max) / 2.0).clamp(LAT_MIN, LAT_MAX);
    (lon, lat)
}

/// (lon, lat) of a stored score.
pub fn decode_score(score: f64) -> Option<(f64, f64)> {
    let h = Bits {
        bits: score as u64,
        step: STEP_MAX,
    };
    Some(area_center(&decode_wgs84(h)))
}

/// The 52-bit score of a cell.
pub fn align52(h: Bits) -> u64 {
    h.bits << (52 - h.step as u32 * 2)
}

/// The score of a position.
pub fn score_of(lon: f64, lat: f64) -> Option<u64> {
    encode_wgs84(lon, lat, STEP_MAX).map(align52)
}

/// The 11-character standard geohash of a stored score.
pub fn geohash_string(score: f64) -> Option<String> {
    const ALPHABET: &[u8] = b"0123456789bcdefghjkmnpqrstuvwxyz";
    let (lon, lat) = decode_score(score)?;
    let h = encode((-180.0, 180.0), (-90.0, 90.0), lon, lat, 26)?;
    let mut s = String::with_capacity(11);
    for i in 0..11 {
        let idx = if i == 10 {
            0
        } else {
            ((h.bits >> (52 - (i + 1) * 5)) & 0x1f) as usize
        };
        s.push(ALPHABET[idx] as char);
    }
    Some(s)
}

fn lat_distance(lat1: f64, lat2: f64) -> f64 {
    EARTH_RADIUS_IN_METERS * (deg_rad(lat2) - deg_rad(lat1)).abs()
}

/// Haversine distance in meters.
pub fn distance(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let lon1r = deg_rad(lon1);
    let lon2r = deg_rad(lon2);
    let v = ((lon2r - lon1r) / 2.0).sin();
    if v == 0.0 {
        return lat_distance(lat1, lat2);
    }
    let lat1r = deg_rad(lat1);
    let lat2r = deg_rad(lat2);
    let u = ((lat2r - lat1r) / 2.0).sin();
    let a = u * u + lat1r.cos() * lat2r.cos() * v * v;
    2.0 * EARTH_RADIUS_IN_METERS * a.sqrt().asin()
}

/// The search shape, in meters already multiplied by the unit.
#[derive(Clone, Copy, Debug)]
pub enum Shape {
    Circle { radius: f64 },
    Box { width: f64, height: f64 },
}

/// A search: center, shape in the user's unit, and the unit's meters.
#[derive(Clone, Copy, Debug)]
pub struct Search {
    pub lon: f64,
    pub lat: f64,
    pub shape: Shape,
    pub conversion: f64,
}

impl Search {
    /// Distance to a point if it lies inside the shape.
    pub fn contains(&self, lon: f64, lat: f64) -> Option<f64> {
        match self.shape {
            Shape::Circle { radius } => {
                let d = distance(self.lon, self.lat, lon, lat);
                (d <= radius * self.conversion).then_some(d)
            }
            Shape::Box { width, height } => {
                let (w, h) = (width * self.conversion, height * self.conversion);
                if lat_distance(lat, self.lat) > h / 2.0 {
                    return None;
                }
                if distance(lon, lat, self.lon, lat) > w / 2.0 {
                    return None;
                }
                Some(distance(self.lon, self.lat, lon, lat))
            }
        }
    }

    /// (min lon, min lat, max lon, max lat) of the area to cover.
    fn bounding_box(&self) -> [f64; 4] {
        let (h, w) = match self.shape {
            Shape::Circle { radius } => (radius, radius),
            Shape::Box { width, height } => (height / 2.0, width / 2.0),
        };
        let height = self.conversion * h;
        let width = self.conversion * w;
        let lat_delta = rad_deg(height / EARTH_RADIUS_IN_METERS);
        let long_delta_top =
            rad_deg(width / EARTH_RADIUS_IN_METERS / deg_rad(self.lat + lat_delta).cos());
        let long_delta_bottom =
            rad_deg(width / EARTH_RADIUS_IN_METERS / deg_rad(self.lat - lat_delta).cos());
        let southern = self.lat < 0.0;
        [
            if southern {
                self.lon - long_delta_bottom
            } else {
                self.lon - long_delta_top
            },
            self.lat - lat_delta,
            if southern {
                self.lon + long_delta_bottom
            } else {
                self.lon + long_delta_top
            },
            self.lat + lat_delta,
        ]
    }

    /// The cells to scan: center, N, S, E, W, NE, NW, SE, SW (zeroed ones
    /// are skipped by the caller).
    pub fn cells(&self) -> [Bits; 9] {
        let b = self.bounding_box();
        let (min_lon, min_lat, max_lon, max_lat) = (b[0], b[1], b[2], b[3]);
        let radius_m = match self.shape {
            Shape::Circle { radius } => radius,
            Shape::Box { width, height } => {
                ((width / 2.0) * (width / 2.0) + (height / 2.0) * (height / 2.0)).sqrt()
            }
        } * self.conversion;
        let mut steps = estimate_steps(radius_m, self.lat);
        let Some(mut hash) = encode_wgs84(self.lon, self.lat, steps) else {
            // Out-of-range centers are rejected when parsed; scan nothing.
            return [Bits::default(); 9];
        };
        let mut n = neighbors(&hash);
        let mut area = decode_wgs84(hash);
        let north = decode_wgs84(n[1]);
        let south = decode_wgs84(n[2]);
        let east = decode_wgs84(n[3]);
        let west = decode_wgs84(n[4]);
        let decrease = north.lat_max < max_lat
            || south.lat_min > min_lat
            || east.lon_max < max_lon
            || west.lon_min > min_lon;
        if steps > 1 && decrease {
            steps -= 1;
            hash = encode_wgs84(self.lon, self.lat, steps).unwrap_or(hash);
            n = neighbors(&hash);
            area = decode_wgs84(hash);
        }
        // n: [self, N, S, E, W, NE, NW, SE, SW]
        if steps >= 2 {
            let z = Bits::default();
            if area.lat_min < min_lat {
                n[2] = z;
                n[8] = z;
                n[7] = z;
            }
            if area.lat_max > max_lat {
                n[1] = z;
                n[5] = z;
                n[6] = z;
            }
            if area.lon_min < min_lon {
                n[4] = z;
                n[8] = z;
                n[6] = z;
            }
            if area.lon_max > max_lon {
                n[3] = z;
                n[7] = z;
                n[5] = z;
            }
        }
        n[0] = hash;
        n
    }
}

/// Score interval [min, max) of the members inside a cell.
pub fn cell_scores(h: Bits) -> (f64, f64) {
    let min = align52(h);
    let max = align52(Bits {
        bits: h.bits + 1,
        step: h.step,
    });
    (min as f64, max as f64)
}

/// Whether a cell is a zeroed (excluded) neighbour.
pub fn is_zero(h: &Bits) -> bool {
    h.is_zero()
}

fn estimate_steps(range_meters: f64, lat: f64) -> u8 {
    if range_meters == 0.0 {
        return 26;
    }
    let mut range = range_meters;
    let mut step: i32 = 1;
    while range < MERCATOR_MAX {
        range *= 2.0;
        step += 1;
    }
    step -= 2;
    if !(-66.0..=66.0).contains(&lat) {
        step -= 1;
        if !(-80.0..=80.0).contains(&lat) {
            step -= 1;
        }
    }
    step.clamp(1, 26) as u8
}

fn move_x(h: &mut Bits, d: i8) {
    if d == 0 {
        return;
    }
    let shift = 64 - h.step as u32 * 2;
    let mut x = h.bits & 0xaaaaaaaaaaaaaaaa;
    let y = h.bits & 0x5555555555555555;
    let zz = 0x5555555555555555u64 >> shift;
    if d > 0 {
        x = x.wrapping_add(zz + 1);
    } else {
        x |= zz;
        x = x.wrapping_sub(zz + 1);
    }
    x &= 0xaaaaaaaaaaaaaaaau64 >> shift;
    h.bits = x | y;
}

fn move_y(h: &mut Bits, d: i8) {
    if d == 0 {
        return;
    }
    let shift = 64 - h.step as u32 * 2;
    let x = h.bits & 0xaaaaaaaaaaaaaaaa;
    let mut y = h.bits & 0x5555555555555555;
    let zz = 0xaaaaaaaaaaaaaaaau64 >> shift;
    if d > 0 {
        y = y.wrapping_add(zz + 1);
    } else {
        y |= zz;
        y = y.wrapping_sub(zz + 1);
    }
    y &= 0x5555555555555555u64 >> shift;
    h.bits = x | y;
}

/// [self, N, S, E, W, NE, NW, SE, SW]
fn neighbors(h: &Bits) -> [Bits; 9] {
    let at = |dx: i8, dy: i8| {
        let mut b = *h;
        move_x(&mut b, dx);
        move_y(&mut b, dy);
        b
    };
    [
        *h,
        at(0, 1),
        at(0, -1),
        at(1, 0),
        at(-1, 0),
        at(1, 1),
        at(-1, 1),
        at(1, -1),
        at(-1, -1),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn palermo_and_catania() {
        // The classic GEOADD example: scores, hashes and distance as Valkey
        // reports them.
        let p = score_of(13.361389, 38.115556).unwrap();
        let c = score_of(15.087269, 37.502669).unwrap();
        assert_eq!(p, 3479099956230698);
        assert_eq!(c, 3479447370796909);
        assert_eq!(geohash_string(p as f64).unwrap(), "sqc8b49rny0");
        assert_eq!(geohash_string(c as f64).unwrap(), "sqdtr74hyu0");
        let (lon1, lat1) = decode_score(p as f64).unwrap();
        let (lon2, lat2) = decode_score(c as f64).unwrap();
        assert_eq!(
            format!("{:.4}", distance(lon1, lat1, lon2, lat2)),
            "166274.1516"
        );
        assert!((lon1 - 13.361389338970184).abs() < 1e-12);
    }

    #[test]
    fn out_of_range_positions() {
        assert!(score_of(181.0, 0.0).is_none());
        assert!(score_of(0.0, 86.0).is_none());
        assert!(score_of(-180.0, -85.05112878).is_some());
    }
}
