// libpng (Debian's libpng-dev): an encoder of 8-bit RGBA images with tEXt chunks into memory,
// and libpng's simplified reader. libpng reports errors by longjmp, which Swift cannot catch, so
// the encoder lives here in C and returns a status instead.
#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

/// A growable byte buffer the encoder writes into; free `data` with `free`.
typedef struct {
  unsigned char *data;
  size_t size;
  size_t capacity;
} economist_png_buffer;

static inline void economist_png_write_bytes(png_structp png, png_bytep bytes, size_t length) {
  economist_png_buffer *buffer = (economist_png_buffer *)png_get_io_ptr(png);
  if (buffer->size + length > buffer->capacity) {
    size_t capacity = buffer->capacity > 0 ? buffer->capacity : 65536;
    while (capacity < buffer->size + length) capacity *= 2;
    unsigned char *data = (unsigned char *)realloc(buffer->data, capacity);
    if (data == NULL) png_error(png, "out of memory");
    buffer->data = data;
    buffer->capacity = capacity;
  }
  memcpy(buffer->data + buffer->size, bytes, length);
  buffer->size += length;
}

static inline void economist_png_flush(png_structp png) { (void)png; }

/// Encodes `height` rows of `width` 8-bit RGBA pixels (not premultiplied) at zlib `level`
/// (0-9) with `count` uncompressed tEXt chunks. Returns 0 on success, 1 when libpng could not
/// start, 2 when encoding failed (the buffer may hold partial output then).
static inline int economist_png_encode(
    const unsigned char *rgba, int width, int height, int level, const char *const *keys,
    const char *const *values, int count, economist_png_buffer *out) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  if (png == NULL) return 1;
  png_infop info = png_create_info_struct(png);
  if (info == NULL) {
    png_destroy_write_struct(&png, NULL);
    return 1;
  }
  png_textp texts = count > 0 ? (png_textp)calloc((size_t)count, sizeof(png_text)) : NULL;
  if (setjmp(png_jmpbuf(png))) {
    free(texts);
    png_destroy_write_struct(&png, &info);
    return 2;
  }
  png_set_write_fn(png, out, economist_png_write_bytes, economist_png_flush);
  png_set_compression_level(png, level);
  png_set_IHDR(
      png, info, (png_uint_32)width, (png_uint_32)height, 8, PNG_COLOR_TYPE_RGB_ALPHA, PNG_INTERLACE_NONE,
      PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  for (int i = 0; i < count && texts != NULL; i++) {
    texts[i].compression = PNG_TEXT_COMPRESSION_NONE;
    texts[i].key = (png_charp)keys[i];
    texts[i].text = (png_charp)values[i];
    texts[i].text_length = strlen(values[i]);
  }
  if (texts != NULL) png_set_text(png, info, texts, count);
  png_write_info(png, info);
  for (int y = 0; y < height; y++) png_write_row(png, (png_const_bytep)(rgba + (size_t)y * (size_t)width * 4));
  png_write_end(png, info);
  free(texts);
  png_destroy_write_struct(&png, &info);
  return 0;
}

/// libpng's `PNG_FORMAT_RGBA` (a macro expression Swift cannot import).
static const unsigned int economist_png_format_rgba = PNG_FORMAT_RGBA;
