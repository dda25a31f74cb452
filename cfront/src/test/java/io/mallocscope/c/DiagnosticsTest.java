package io.mallocscope.c;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.ProcessOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each diagnostic: gcc's "file:line:col: error: message", then the line and a caret under the column. */
class DiagnosticsTest {
    private static CompileError error(String source) {
        try {
            CFront.compile("prog.c", source);
        } catch (CompileError e) {
            return e;
        }
        throw new AssertionError("no error for:\n" + source);
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
            int main(void) { return x; }                                  | 'x' undeclared (first use in this function)       | 1 | 25
            int main(void) { foo(1); return 0; }                          | implicit declaration of function 'foo' (not declared by mallocscope's headers; see docs/c.md for the C library it provides) | 1 | 18
            int main(void) { malloc(1); return 0; }                       | implicit declaration of function 'malloc' (declared in a header you did not include) | 1 | 18
            int main(void) { return f(1); } int f(int x) { return x; }    | implicit declaration of function 'f' (it is declared on line 1, after this call: declare it before the call) | 1 | 25
            int main(void) { int a; a.b = 1; return 0; }                  | request for member 'b' in something not a structure or union | 1 | 26
            struct s { int a; }; int main(void) { struct s v; return v.b; } | 'struct s' has no member named 'b'                 | 1 | 60
            int main(void) { int a; *a = 1; return 0; }                   | invalid type argument of unary '*' (have 'int')    | 1 | 25
            int main(void) { 3 = 4; return 0; }                           | lvalue required as left operand of assignment      | 1 | 20
            int main(void) { int a; a(); return 0; }                     | called object is not a function or function pointer | 1 | 26
            int f(int x) { return x; } int main(void) { return f(); }     | too few arguments to function 'f'                  | 1 | 53
            int f(int x) { return x; } int main(void) { return f(1, 2); } | too many arguments to function 'f'                 | 1 | 57
            int main(void) { int a[2]; int b[2]; a = b; return 0; }       | assignment to expression with array type           | 1 | 40
            int main(void) { return 1 }                                   | expected ';' before '}'                            | 1 | 27
            int main(void) { struct { int a : 3; } s; return *&s.a; }     | cannot take address of bit-field 'a'               | 1 | 51
            int main(void) { struct { int a : 40; } s; return 0; }        | width of 'a' exceeds its type                      | 1 | 31
            int main(void) { struct { int a : 0; } s; return 0; }         | zero width for bit-field 'a'                       | 1 | 31
            int main(int n) { static int v[n]; return 0; }                | unsupported: variable-length array                 | 1 | 32
            int main(int n) { int v[n] = {0}; return 0; }                | variable-sized object may not be initialized       | 1 | 28
            int main(void) { break; }                                     | break statement not within loop or switch          | 1 | 18
            int main(void) { goto out; }                                  | label 'out' used but not defined                   | 1 | 23
            int main(void) { int a; int a; return 0; }                    | redeclaration of 'a' with no linkage               | 1 | 29
            int main(void) { unknown_t x; return 0; }                     | unknown type name 'unknown_t'                      | 1 | 18
            #include <signal.h>                                           | unsupported header <signal.h>: mallocscope ships only the headers whose functions it implements (see docs/c.md) | 1 | 10
            #include "nothere.h"                                          | nothere.h: No such file or directory               | 1 | 10
            #if 1                                                         | unterminated conditional directive                 | 1 | 6
            #define F(a, b) a                                             | invalid preprocessing directive #bogus             | 1 | 2
            """)
    void diagnostic(String source, String message, int line, int col) {
        String src = source.contains("#define F") ? "#bogus\n" : source;
        if (src.startsWith("#bogus")) {
            line = 1;
            col = 2;
        }
        CompileError e = error(src);
        assertThat(e.detail()).isEqualTo(message);
        assertThat(e.line()).isEqualTo(line);
        assertThat(e.column()).as(e.getMessage()).isEqualTo(col);
    }

    @Test
    void quoteAndCaretAsGccPrintsThem() {
        CompileError e = error("int main(void) {\n    return missing;\n}\n");
        assertThat(e.diagnostic()).isEqualTo("""
                prog.c:2:12: error: 'missing' undeclared (first use in this function)
                    2 |     return missing;
                      |            ^
                """);
    }

    @Test
    void vaStartNeedsAVariadicFunction() {
        CompileError e = error("#include <stdarg.h>\nint f(int n) { va_list ap; va_start(ap, n); return n; }\n");
        assertThat(e.getMessage()).isEqualTo("prog.c:2:28: error: 'va_start' used in function with fixed arguments");
        CompileError notAList = error("#include <stdarg.h>\nint f(int n, ...) { int x; return va_arg(&x, int); }\n");
        assertThat(notAList.detail()).isEqualTo("first argument to 'va_arg' not of type 'va_list'");
    }

    @Test
    void macroArgumentCountIsChecked() {
        CompileError e = error("#define TWO(a, b) a\nint x = TWO(1);\n");
        assertThat(e.getMessage()).isEqualTo("prog.c:2:9: error: macro \"TWO\" requires 2 arguments, but only 1 given");
    }

    @Test
    void errorFromRunningIsALineNotATrace() {
        // a program whose layout cannot be made (main is missing) reports like a link error
        CFront.Compiled c = CFront.compile("prog.c", "int helper(void) { return 1; }\n");
        CProcess.Captured r = c.runCaptured(ProcessOptions.defaults());
        assertThat(r.status().code()).isEqualTo(1);
        assertThat(r.stderr()).startsWith("prog.c:1:1: error: undefined reference to 'main'").doesNotContain("Exception");
    }

    /**
     * Frames whose layout the front end cannot predict (gcc's pushes follow its register allocator)
     * are refused with one line when the program is laid out, never run with addresses that are off.
     */
    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
            int main(int n) { char b[n]; int m[n]; return 0; }           | prog.c:1:5: error: unsupported: more than one variable-length array in 'main'
            int main(int n) { for (int k = 1; k < n; k++) { double d[k]; } char b[n]; return 0; } | prog.c:1:5: error: unsupported: more than one variable-length array in 'main'
            int f(int x) { return x; } int main(int n) { long x = n * 2 + f(1); char a[n][3]; return x; } | prog.c:1:32: error: unsupported: a variable-length array and values held across a call in 'main'
            int f(int x) { return x; } int main(int a) { return a*1 + (a*2 + (a*3 + (a*4 + (a*5 + (a*6 + f(1)))))); } | prog.c:1:32: error: unsupported: more than five values held across one call in 'main'
            int f(int x) { return x; } int main(int a) { long double d = a; return d * 2 + f(1); } | prog.c:1:32: error: unsupported: a floating-point value held across a call next to long double arithmetic in 'main'
            int f(int x) { return x; } int main(int a) { long double d = a; f(1); return (int) d; } | prog.c:1:32: error: unsupported: long double arithmetic in 'main', which calls the program's own functions (gcc's x87 stack slots are not modelled)
            int f(long double x) { return x > 1; } int main(int a) { return f(a); } | prog.c:1:44: error: unsupported: long double arithmetic in 'main', which calls the program's own functions (gcc's x87 stack slots are not modelled)
            """)
    void frameGccLaysOutByRegisterAllocationIsRefused(String source, String line) {
        CProcess.Captured r = CFront.compile("prog.c", source + "\n").runCaptured(ProcessOptions.defaults());
        assertThat(r.status().code()).isEqualTo(1);
        assertThat(r.stderr().lines().findFirst().orElse("")).isEqualTo(line);
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderr()).doesNotContain("Exception");
    }

    /**
     * What stdin does not model (its descriptor is the program's input), and a format only seen running that asks
     * for a conversion not modelled, stop the run with one line, after what was printed.
     */
    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
            int main(void) { puts("a"); fseek(stdin, 0, SEEK_SET); return 0; } | prog.c:3:34: error: unsupported: fseek on stdin, stdout or stderr
            int main(void) { puts("a"); return (int) ftell(stdin); }           | prog.c:3:47: error: unsupported: ftell on stdin, stdout or stderr
            int main(void) { puts("a"); return fclose(stdin); }                | prog.c:3:42: error: unsupported: fclose on stdin, stdout or stderr
            int main(void) { puts("a"); return ungetc('x', stdout); }          | prog.c:3:42: error: unsupported: ungetc on stdout or stderr
            int main(void) { puts("a"); double d; return sscanf("2.5", "%lf", &d); }                   | prog.c:3:52: error: unsupported: scanf conversion '%f'
            int main(void) { puts("a"); const char *f = "%n"; int n; printf(f, &n); return 0; } | prog.c:3:64: error: unsupported: printf conversion '%n'
            void bye(void) { puts("bye"); } int main(void) { puts("a"); atexit(bye); return 0; }   | prog.c:3:67: error: unsupported: atexit (the C front end does not run exit handlers)
            """)
    void stdinCallsNotModelledAreRefusedWhileRunning(String source, String line) {
        CProcess.Captured r = CFront.compile("prog.c", "#include <stdio.h>\n#include <stdlib.h>\n" + source + "\n").runCaptured(ProcessOptions.defaults());
        assertThat(r.status().code()).isEqualTo(1);
        assertThat(r.stdout()).isEqualTo("a\n");
        assertThat(r.stderr().lines().findFirst().orElse("")).isEqualTo(line);
        assertThat(r.stderr()).doesNotContain("Exception");
    }

    @Test
    void undefinedFunctionIsALinkError() {
        assertThatThrownBy(() -> CFront.compile("prog.c", "int helper(int);\nint main(void) { return helper(1); }\n"))
                .isInstanceOf(CompileError.class).hasMessage("prog.c:2:25: error: undefined reference to 'helper'");
    }
}
