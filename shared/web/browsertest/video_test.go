package browsertest

import (
	"bufio"
	"fmt"
	"image"
	"image/color"
	"os"
)

// writeY4M writes a short raw video (YUV4MPEG2, 4:2:0) that shows pic, a few
// pixels further right in each frame as if held by a hand, on a grey
// background. Chromium's fake camera plays it in a loop
// (--use-file-for-fake-video-capture).
func writeY4M(path string, pic image.Image, width, height, frames int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, "YUV4MPEG2 W%d H%d F10:1 Ip A1:1 C420jpeg\n", width, height)
	luma := make([]byte, width*height)
	chroma := make([]byte, (width/2)*(height/2)) // grey: no colour
	for i := range chroma {
		chroma[i] = 128
	}
	b := pic.Bounds()
	for n := range frames {
		x0 := (width-b.Dx())/2 + (n%3-1)*4
		y0 := (height - b.Dy()) / 2
		for y := range height {
			for x := range width {
				g := color.Gray{Y: 170}
				if p := image.Pt(x-x0+b.Min.X, y-y0+b.Min.Y); p.In(b) {
					g = color.GrayModel.Convert(pic.At(p.X, p.Y)).(color.Gray)
				}
				luma[y*width+x] = byte(16 + int(g.Y)*219/255) // studio range, as Y4M expects
			}
		}
		w.WriteString("FRAME\n")
		w.Write(luma)
		w.Write(chroma)
		w.Write(chroma)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
