#include "text_util.h"

#include <gtest/gtest.h>

namespace lookout::sensors::internal {
namespace {

TEST(TextUtil, SenmlNames) {
  EXPECT_TRUE(is_valid_senml_name("a"));
  EXPECT_TRUE(is_valid_senml_name("0"));
  EXPECT_TRUE(is_valid_senml_name("urn:dev:ow:10e2073a01080063:temp/1.a_b-c"));
  EXPECT_EQ(find_bad_senml_name_char(""), 0u);
  EXPECT_EQ(find_bad_senml_name_char("_a"), 0u);
  EXPECT_EQ(find_bad_senml_name_char("ab c"), 2u);
  EXPECT_EQ(find_bad_senml_name_char("ab%"), 2u);
}

TEST(TextUtil, Utf8) {
  EXPECT_EQ(find_invalid_utf8(""), kNoPosition);
  EXPECT_EQ(find_invalid_utf8("plain ascii"), kNoPosition);
  EXPECT_EQ(find_invalid_utf8("青云 \xF0\x9F\x9A\x92 \xC3\xA9"), kNoPosition);
  EXPECT_EQ(find_invalid_utf8("\xEF\xBF\xBF\xF4\x8F\xBF\xBF"), kNoPosition);  // U+FFFF, U+10FFFF
  EXPECT_EQ(find_invalid_utf8("ab\x80"), 2u);                                 // stray continuation byte
  EXPECT_EQ(find_invalid_utf8("a\xC0\xAF"), 1u);                              // overlong '/'
  EXPECT_EQ(find_invalid_utf8("a\xE0\x80\xAF"), 1u);                          // overlong, 3 bytes
  EXPECT_EQ(find_invalid_utf8("\xED\xA0\x80"), 0u);                           // surrogate U+D800
  EXPECT_EQ(find_invalid_utf8("\xF4\x90\x80\x80"), 0u);                       // above U+10FFFF
  EXPECT_EQ(find_invalid_utf8("ok\xE9\x9D"), 2u);                             // cut short
  EXPECT_EQ(find_invalid_utf8("\xC7\xE0\xD4\xC6"), 0u);                       // GBK
  EXPECT_EQ(find_invalid_utf8("\xFF"), 0u);
}

TEST(TextUtil, Numbers) {
  EXPECT_EQ(parse_finite_double("39.9042"), 39.9042);
  EXPECT_EQ(parse_finite_double("-180"), -180.0);
  EXPECT_EQ(parse_finite_double("1e3"), 1000.0);
  for (const char* bad : {"", " 1", "1 ", "+1", "1,5", "0x10", "inf", "nan", "1e999", "abc", "1.2.3"}) {
    EXPECT_FALSE(parse_finite_double(bad)) << bad;
  }
  EXPECT_EQ(format_number(91), "91");
  EXPECT_EQ(format_number(-180.5), "-180.5");
  EXPECT_EQ(format_number(0.1), "0.1");
}

TEST(TextUtil, Quote) {
  EXPECT_EQ(quote("abc"), "\"abc\"");
  EXPECT_EQ(quote("abcdef", 3), "\"abc...\"");
  EXPECT_EQ(quote("青云社区", 4), "\"青...\"");  // cut on a character boundary
  EXPECT_EQ(describe_char('x'), "'x'");
  EXPECT_EQ(describe_char(' '), "a space");
  EXPECT_EQ(describe_char('\t'), "byte 0x09");
}

}  // namespace
}  // namespace lookout::sensors::internal
