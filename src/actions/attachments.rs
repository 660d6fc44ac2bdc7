//! Photos and voice messages on a case: checked by content, photos decoded under
//! limits and re-encoded (so EXIF and GPS are gone) with a thumbnail, and the
//! files written to `attachments/` in the data folder before the case's
//! transaction commits. A row in `attachments` therefore always has its files;
//! files of a submission that did not commit are removed again.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

use super::cases::CaseDetail;
use crate::app::App;
use crate::domain::attachment::{self, Attachment, CheckedUpload, Format, Kind};
use crate::domain::user::Actor;
use crate::domain::{FieldError, Msg};
use crate::error::{Error, Result};

/// Which file of an attachment: the stored file, or a photo's thumbnail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    Full,
    Thumb,
}

/// A file to send back.
#[derive(Debug)]
pub struct File {
    pub media_type: String,
    pub bytes: Vec<u8>,
}

/// Files written for a submission. Dropped without [`Written::keep`], they are removed.
#[derive(Debug, Default)]
pub struct Written {
    pub attachments: Vec<Attachment>,
    paths: Vec<PathBuf>,
    kept: bool,
}

impl Written {
    /// The case committed: the files stay.
    pub fn keep(mut self) {
        self.kept = true;
    }
}

impl Drop for Written {
    fn drop(&mut self) {
        if !self.kept {
            for path in &self.paths {
                let _ = std::fs::remove_file(path);
            }
        }
    }
}

fn folder(app: &App) -> PathBuf {
    app.config().data_dir.join("attachments")
}

/// Re-encodes the photos of uploads that passed `attachment::check` and writes
/// every file under a new id. A photo that cannot be decoded within the limits
/// is `Invalid`.
pub async fn write(app: &App, checked: Vec<CheckedUpload>) -> Result<Written> {
    if checked.is_empty() {
        return Ok(Written::default());
    }
    let dir = folder(app);
    let prepared = tokio::task::spawn_blocking(move || prepare_all(checked))
        .await
        .map_err(|e| Error::Internal(e.into()))?
        .map_err(Error::Invalid)?;
    let mut written = Written::default();
    tokio::fs::create_dir_all(&dir).await.map_err(|e| Error::Internal(e.into()))?;
    for (position, item) in prepared.into_iter().enumerate() {
        let id = crate::db::new_id();
        let full = dir.join(&id);
        write_whole(&full, &item.bytes, &mut written.paths).await?;
        if let Some(thumb) = &item.thumb {
            write_whole(&dir.join(format!("{id}.thumb")), thumb, &mut written.paths).await?;
        }
        written.attachments.push(Attachment {
            id,
            case_id: String::new(),
            kind: item.kind.as_str().to_string(),
            media_type: item.media_type.to_string(),
            bytes: item.bytes.len() as i64,
            width: i64::from(item.width),
            height: i64::from(item.height),
            position: position as i64,
        });
    }
    Ok(written)
}

/// Writes `bytes` to a temporary name, flushes, and renames it into place, so a
/// file under its final name is always whole.
async fn write_whole(path: &Path, bytes: &[u8], paths: &mut Vec<PathBuf>) -> Result<()> {
    use tokio::io::AsyncWriteExt;
    let part = path.with_extension("part");
    let result = async {
        let mut file = tokio::fs::File::create(&part).await?;
        file.write_all(bytes).await?;
        file.sync_all().await?;
        tokio::fs::rename(&part, path).await
    }
    .await;
    if let Err(e) = result {
        let _ = tokio::fs::remove_file(&part).await;
        return Err(Error::Internal(e.into()));
    }
    paths.push(path.to_path_buf());
    Ok(())
}

struct Prepared {
    kind: Kind,
    media_type: &'static str,
    bytes: Vec<u8>,
    thumb: Option<Vec<u8>>,
    width: u32,
    height: u32,
}

fn prepare_all(checked: Vec<CheckedUpload>) -> std::result::Result<Vec<Prepared>, Vec<FieldError>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for upload in checked {
        match upload.format.kind() {
            Kind::Voice => out.push(Prepared {
                kind: Kind::Voice,
                media_type: upload.format.media_type(),
                bytes: upload.bytes,
                thumb: None,
                width: 0,
                height: 0,
            }),
            Kind::Photo => match reencode(&upload.bytes, upload.format) {
                Some(prepared) => out.push(prepared),
                None => errors.push(FieldError::new("photos", Msg::new("err-upload-bad-photo"))),
            },
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// Decodes a photo under limits (an image bomb is refused before its pixels are
/// allocated), turns it upright, scales it down, and encodes it as a fresh JPEG:
/// nothing of the original file's metadata (EXIF, GPS) is carried over.
fn reencode(bytes: &[u8], format: Format) -> Option<Prepared> {
    let image_format = match format {
        Format::Jpeg => ImageFormat::Jpeg,
        Format::Png => ImageFormat::Png,
        Format::WebP => ImageFormat::WebP,
        Format::WebM | Format::Ogg | Format::Mp4 => return None,
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), image_format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(20_000);
    limits.max_image_height = Some(20_000);
    limits.max_alloc = Some(attachment::MAX_PIXELS * 4);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().ok()?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > attachment::MAX_PIXELS {
        return None;
    }
    let orientation = decoder.orientation().ok();
    let mut image = DynamicImage::from_decoder(decoder).ok()?;
    if let Some(orientation) = orientation {
        image.apply_orientation(orientation);
    }
    let (w, h) = attachment::fit(image.width(), image.height(), attachment::STORED_SIDE);
    let image = if (w, h) == (image.width(), image.height()) {
        image
    } else {
        image.resize_exact(w, h, image::imageops::FilterType::Triangle)
    };
    let rgb = image.to_rgb8();
    let (tw, th) = attachment::fit(w, h, attachment::THUMB_SIDE);
    let thumb = image::imageops::thumbnail(&rgb, tw, th);
    Some(Prepared {
        kind: Kind::Photo,
        media_type: "image/jpeg",
        bytes: jpeg(&rgb, 85)?,
        thumb: Some(jpeg(&thumb, 75)?),
        width: w,
        height: h,
    })
}

fn jpeg(image: &image::RgbImage, quality: u8) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality).encode_image(image).ok()?;
    Some(out)
}

/// A file attached to a case the signed-in `actor` may see.
pub async fn staff_file(
    app: &App,
    actor: &Actor,
    case_id: &str,
    attachment_id: &str,
    variant: Variant,
) -> Result<File> {
    let detail = super::cases::detail(app, actor, case_id).await?;
    file(app, &detail, attachment_id, variant).await
}

/// A file attached to the case with this tracking code (the citizen's own).
pub async fn citizen_file(app: &App, tracking_code: &str, attachment_id: &str, variant: Variant) -> Result<File> {
    let detail = super::cases::track(app, tracking_code).await?;
    file(app, &detail, attachment_id, variant).await
}

async fn file(app: &App, detail: &CaseDetail, attachment_id: &str, variant: Variant) -> Result<File> {
    let attachment = detail.attachments.iter().find(|a| a.id == attachment_id).ok_or(Error::NotFound)?;
    let (name, media_type) = match variant {
        Variant::Full => (attachment.id.clone(), attachment.media_type.clone()),
        Variant::Thumb if attachment.is_photo() => (format!("{}.thumb", attachment.id), "image/jpeg".to_string()),
        Variant::Thumb => return Err(Error::NotFound),
    };
    let bytes = tokio::fs::read(folder(app).join(name)).await.map_err(|e| Error::Internal(e.into()))?;
    Ok(File { media_type, bytes })
}

/// A stored photo by its id (a representative's portrait), re-encoded as every photo is.
pub(crate) async fn stored_photo(app: &App, photo_id: &str, variant: Variant) -> Result<File> {
    let name = match variant {
        Variant::Full => photo_id.to_string(),
        Variant::Thumb => format!("{photo_id}.thumb"),
    };
    let bytes = tokio::fs::read(folder(app).join(name)).await.map_err(|e| Error::Internal(e.into()))?;
    Ok(File { media_type: "image/jpeg".to_string(), bytes })
}
