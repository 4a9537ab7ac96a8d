//! An SVG drawing backend that writes each element to its file as it is drawn.
//!
//! plotters' own SVG backend keeps the whole document in one string until it is
//! presented, and the chart with a dot per interview is tens of megabytes on a
//! large corpus. Here each drawing call is made on plotters' backend over a small
//! scratch string, and what the call added between the document's opening and
//! closing tags goes to the writer: the same bytes, one element at a time.

use std::io::{self, Write};

use plotters::prelude::SVGBackend;
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};

/// What plotters closes an SVG document with.
const CLOSE: &str = "</svg>\n";

/// An SVG document streamed to `W`.
pub(super) struct SvgStream<W: Write> {
    out: W,
    size: (u32, u32),
    scratch: String,
    /// The length of the opening `<svg ...>` element plotters writes first.
    head: usize,
    /// The first write that failed: drawing goes on, and presenting reports it.
    failed: Option<io::Error>,
    presented: bool,
}

impl<W: Write> SvgStream<W> {
    /// Starts a document of `size` in `out`, with `attrs` (such as
    /// `direction="ltr" `, ending in a space) first among the attributes of its
    /// `<svg>` element.
    pub fn new(mut out: W, size: (u32, u32), attrs: &str) -> SvgStream<W> {
        let mut scratch = String::new();
        // Dropped unpresented, plotters' backend presents: the document is then its
        // opening element and the closing tag.
        drop(SVGBackend::with_string(&mut scratch, size));
        let head = scratch.len() - CLOSE.len();
        let (open, rest) = scratch[..head].split_at("<svg ".len());
        let failed = out
            .write_all(open.as_bytes())
            .and_then(|()| out.write_all(attrs.as_bytes()))
            .and_then(|()| out.write_all(rest.as_bytes()))
            .err();
        SvgStream {
            out,
            size,
            scratch,
            head,
            failed,
            presented: false,
        }
    }

    /// Makes one drawing call on plotters' backend and writes the elements it drew.
    fn element(
        &mut self,
        draw: impl FnOnce(&mut SVGBackend) -> Result<(), DrawingErrorKind<io::Error>>,
    ) -> Result<(), DrawingErrorKind<io::Error>> {
        self.scratch.clear();
        {
            let mut svg = SVGBackend::with_string(&mut self.scratch, self.size);
            draw(&mut svg)?;
            svg.present()?;
        }
        if self.failed.is_none() {
            let drawn = &self.scratch[self.head..self.scratch.len() - CLOSE.len()];
            if let Err(e) = self.out.write_all(drawn.as_bytes()) {
                self.failed = Some(e);
            }
        }
        Ok(())
    }
}

impl<W: Write> DrawingBackend for SvgStream<W> {
    type ErrorType = io::Error;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<io::Error>> {
        Ok(())
    }

    /// Closes the document and flushes the writer; the first failed write, if
    /// any, is the error.
    fn present(&mut self) -> Result<(), DrawingErrorKind<io::Error>> {
        if let Some(e) = self.failed.take() {
            self.presented = true;
            return Err(DrawingErrorKind::DrawingError(e));
        }
        if !self.presented {
            self.presented = true;
            self.out
                .write_all(CLOSE.as_bytes())
                .and_then(|()| self.out.flush())
                .map_err(DrawingErrorKind::DrawingError)?;
        }
        Ok(())
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<io::Error>> {
        self.element(|svg| svg.draw_pixel(point, color))
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<io::Error>> {
        self.element(|svg| svg.draw_line(from, to, style))
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<io::Error>> {
        self.element(|svg| svg.draw_rect(upper_left, bottom_right, style, fill))
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<io::Error>> {
        self.element(|svg| svg.draw_path(path, style))
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<io::Error>> {
        self.element(|svg| svg.draw_circle(center, radius, style, fill))
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<io::Error>> {
        self.element(|svg| svg.fill_polygon(vert, style))
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<io::Error>> {
        self.element(|svg| svg.draw_text(text, style, pos))
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<io::Error>> {
        self.element(|svg| svg.blit_bitmap(pos, size, src))
    }
}

#[cfg(test)]
mod tests {
    use super::super::canvas::FONT;
    use super::*;
    use plotters::prelude::*;

    /// Draws one of each kind of element (and one plotters leaves out: transparent).
    fn scene<DB: DrawingBackend>(db: DB) {
        super::super::canvas::ensure_font().unwrap();
        let area = db.into_drawing_area();
        area.fill(&WHITE).unwrap();
        area.draw(&Circle::new((40, 30), 5, RED.filled())).unwrap();
        area.draw(&Circle::new((60, 30), 7, Color::stroke_width(&BLUE, 2)))
            .unwrap();
        area.draw(&PathElement::new(vec![(0, 0), (10, 20), (30, 5)], BLACK))
            .unwrap();
        area.draw(&Polygon::new(
            vec![(5, 5), (15, 5), (10, 15)],
            GREEN.mix(0.5),
        ))
        .unwrap();
        area.draw(&Rectangle::new([(70, 70), (90, 95)], MAGENTA))
            .unwrap();
        area.draw(&Pixel::new((3, 4), CYAN)).unwrap();
        area.draw(&Pixel::new((5, 6), TRANSPARENT)).unwrap();
        area.draw(&Text::new("a<b & \"ג\"", (20, 80), (FONT, 12)))
            .unwrap();
        area.present().unwrap();
    }

    #[test]
    fn streams_the_bytes_plotters_writes_with_the_attributes_added() {
        let mut whole = String::new();
        scene(SVGBackend::with_string(&mut whole, (120, 100)));
        let mut streamed = Vec::new();
        scene(SvgStream::new(
            &mut streamed,
            (120, 100),
            "direction=\"ltr\" ",
        ));
        let want = whole.replacen("<svg ", "<svg direction=\"ltr\" ", 1);
        assert!(want.contains("<circle") && want.contains("<polygon") && want.contains("<text"));
        assert!(want.matches("<rect").count() >= 3, "{want}");
        assert_eq!(String::from_utf8(streamed).unwrap(), want);
    }

    /// A writer that takes `room` bytes and then fails.
    struct Full {
        room: usize,
    }

    impl Write for Full {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.room == 0 {
                return Err(io::Error::other("disk full"));
            }
            let n = buf.len().min(self.room);
            self.room -= n;
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// A small drawing on `db`, and what presenting it gave.
    fn small<DB: DrawingBackend>(db: DB) -> Result<(), String> {
        super::super::canvas::ensure_font().unwrap();
        let area = db.into_drawing_area();
        area.fill(&WHITE).unwrap();
        area.draw(&Circle::new((40, 30), 5, RED.filled())).unwrap();
        area.draw(&Text::new("ג", (20, 80), (FONT, 12))).unwrap();
        area.present().map_err(|e| e.to_string())
    }

    #[test]
    fn a_failed_write_is_the_error_of_presenting() {
        let mut whole = Vec::new();
        small(SvgStream::new(&mut whole, (120, 100), "")).unwrap();
        // No room at all, room for part of the opening element, for part of an
        // element drawn, and for all but the closing tag.
        for room in [0, 20, 200, whole.len() - 1] {
            let err = small(SvgStream::new(Full { room }, (120, 100), "")).unwrap_err();
            assert!(err.contains("disk full"), "room {room}: {err}");
        }
        small(SvgStream::new(Full { room: whole.len() }, (120, 100), "")).unwrap();
    }
}
