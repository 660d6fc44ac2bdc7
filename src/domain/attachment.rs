//! What a citizen may attach to a case: up to nine photos and one voice message,
//! recognised by their content (the first bytes), never by their name.

use super::{FieldError, Msg};

/// At most this many photos on one case.
pub const MAX_PHOTOS: usize = 9;
/// Largest photo as sent by the phone.
pub const MAX_PHOTO_BYTES: usize = 10 * 1024 * 1024;
/// Largest voice message (a few minutes of phone audio).
pub const MAX_VOICE_BYTES: usize = 10 * 1024 * 1024;
/// A photo is decoded only when it has at most this many pixels (an image bomb has more).
pub const MAX_PIXELS: u64 = 40_000_000;
/// Photos are stored re-encoded with their longer side at most this long.
pub const STORED_SIDE: u32 = 2048;
/// Thumbnails have their longer side at most this long.
pub const THUMB_SIDE: u32 = 320;

/// The formats accepted, by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    WebP,
    /// WebM or Matroska audio (Chrome and Android record Opus in it).
    WebM,
    /// Ogg (Opus or Vorbis; Firefox records it).
    Ogg,
    /// MP4 / M4A (iPhones record AAC in it).
    Mp4,
}

/// Photo or voice message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Photo,
    Voice,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Photo => "photo",
            Kind::Voice => "voice",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "photo" => Some(Kind::Photo),
            "voice" => Some(Kind::Voice),
            _ => None,
        }
    }
}

impl Format {
    /// The format of `bytes` by their signature, if it is one we accept.
    pub fn sniff(bytes: &[u8]) -> Option<Format> {
        let at = |offset: usize, magic: &[u8]| bytes.get(offset..offset + magic.len()) == Some(magic);
        if at(0, &[0xFF, 0xD8, 0xFF]) {
            Some(Format::Jpeg)
        } else if at(0, b"\x89PNG\r\n\x1a\n") {
            Some(Format::Png)
        } else if at(0, b"RIFF") && at(8, b"WEBP") {
            Some(Format::WebP)
        } else if at(0, &[0x1A, 0x45, 0xDF, 0xA3]) {
            Some(Format::WebM)
        } else if at(0, b"OggS") {
            Some(Format::Ogg)
        } else if at(4, b"ftyp") {
            Some(Format::Mp4)
        } else {
            None
        }
    }

    pub fn kind(self) -> Kind {
        match self {
            Format::Jpeg | Format::Png | Format::WebP => Kind::Photo,
            Format::WebM | Format::Ogg | Format::Mp4 => Kind::Voice,
        }
    }

    /// The media type a voice message is served with (photos are served as JPEG after re-encoding).
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::WebP => "image/webp",
            Format::WebM => "audio/webm",
            Format::Ogg => "audio/ogg",
            Format::Mp4 => "audio/mp4",
        }
    }
}

/// One file as it arrived from the form field `field` ("photos" or "voice").
#[derive(Debug, Clone)]
pub struct Upload {
    pub field: String,
    pub bytes: Vec<u8>,
    /// Set when the file was larger than its limit and its rest was not kept.
    pub too_large: bool,
}

/// An upload whose content is of an accepted kind and within the limits.
#[derive(Debug, Clone)]
pub struct CheckedUpload {
    pub format: Format,
    pub bytes: Vec<u8>,
}

/// Checks the uploads of one submission: what each file is by its content, its
/// size, at most [`MAX_PHOTOS`] photos in `photos` and one voice message in `voice`.
/// Empty file inputs (nothing chosen) are ignored.
pub fn check(uploads: Vec<Upload>) -> Result<Vec<CheckedUpload>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut out = Vec::new();
    let (mut photos, mut voices) = (0usize, 0usize);
    for upload in uploads.into_iter().filter(|u| !u.bytes.is_empty() || u.too_large) {
        let field = upload.field.clone();
        let expected = if field == "voice" { Kind::Voice } else { Kind::Photo };
        let limit = match expected {
            Kind::Photo => MAX_PHOTO_BYTES,
            Kind::Voice => MAX_VOICE_BYTES,
        };
        if expected == Kind::Photo {
            photos += 1;
        } else {
            voices += 1;
        }
        if upload.too_large || upload.bytes.len() > limit {
            errors.push(FieldError::new(field, Msg::new("err-upload-too-large").with("mb", limit / (1024 * 1024))));
            continue;
        }
        match Format::sniff(&upload.bytes).filter(|f| f.kind() == expected) {
            Some(format) => out.push(CheckedUpload { format, bytes: upload.bytes }),
            None => errors.push(FieldError::new(
                field,
                Msg::new(match expected {
                    Kind::Photo => "err-upload-not-photo",
                    Kind::Voice => "err-upload-not-voice",
                }),
            )),
        }
    }
    if photos > MAX_PHOTOS {
        errors.push(FieldError::new("photos", Msg::new("err-upload-too-many-photos").with("max", MAX_PHOTOS)));
    }
    if voices > 1 {
        errors.push(FieldError::new("voice", Msg::new("err-upload-one-voice")));
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// The size of a photo scaled so that its longer side is at most `side`.
pub fn fit(width: u32, height: u32, side: u32) -> (u32, u32) {
    let longer = width.max(height);
    if longer <= side {
        return (width, height);
    }
    let scale = |v: u32| ((u64::from(v) * u64::from(side)).div_ceil(u64::from(longer))).max(1) as u32;
    (scale(width), scale(height))
}

/// An attachment as stored: its row; the files are `attachments/<id>` (and
/// `attachments/<id>.thumb` for a photo) in the data folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub id: String,
    pub case_id: String,
    /// "photo" or "voice".
    pub kind: String,
    pub media_type: String,
    pub bytes: i64,
    /// Pixels of the stored photo; 0 for a voice message.
    pub width: i64,
    pub height: i64,
    pub position: i64,
}

impl Attachment {
    pub fn is_photo(&self) -> bool {
        self.kind == Kind::Photo.as_str()
    }
}
