package io.mallocscope.cli.explore;

import org.jline.keymap.BindingReader;
import org.jline.keymap.KeyMap;
import org.jline.terminal.Attributes;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStyle;
import org.jline.utils.Display;
import org.jline.utils.InfoCmp.Capability;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The explorer on a terminal (JLine): the alternate screen, raw keys, and a {@link Display} that
 * rewrites only the rows that changed. Keys: {@code n}/→/Space next step, {@code p}/← previous,
 * {@code <}/Home and {@code >}/End the first and last, {@code g} jump to a step, {@code c} follow a
 * chunk and {@code ]}/{@code [} its next/previous step, {@code r}/{@code f} run back/forward to where a
 * bin, chunk or address changed, Tab and {@code j}/{@code k} (PgDn/PgUp) scroll a pane, {@code q} quits.
 */
public final class ExploreUi {
    private enum Key { next, previous, first, last, jump, follow, touchNext, touchPrevious, back, forward, tab, down,
        up, pageDown, pageUp, quit, redraw, other }

    private final Explorer explorer;
    private final Object lock = new Object();
    private Terminal terminal;
    private Display display;
    private String prompt;

    public ExploreUi(Explorer explorer) {
        this.explorer = explorer;
    }

    /** Runs until {@code q}, Ctrl-C or the end of input; the terminal is given back as it was. */
    public void run() throws IOException {
        // the panes' box-drawing characters are written as UTF-8, never swapped for the VT100 line-drawing set
        System.setProperty("org.jline.utils.disableAlternateCharset", "true");
        terminal = TerminalBuilder.builder().system(true).dumb(false)
                .encoding(java.nio.charset.StandardCharsets.UTF_8).build(); // what every other command writes
        Attributes saved = terminal.getAttributes();
        try {
            terminal.enterRawMode();
            Attributes raw = terminal.getAttributes();
            raw.setLocalFlag(Attributes.LocalFlag.ISIG, false); // Ctrl-C is a key: leave through the cleanup below
            terminal.setAttributes(raw);
            terminal.puts(Capability.enter_ca_mode);
            terminal.puts(Capability.keypad_xmit);
            terminal.flush();
            display = new Display(terminal, true);
            terminal.handle(Terminal.Signal.WINCH, s -> draw());
            loop(keys());
        } finally {
            terminal.puts(Capability.cursor_visible);
            terminal.puts(Capability.keypad_local);
            terminal.puts(Capability.exit_ca_mode);
            terminal.flush();
            terminal.setAttributes(saved);
            terminal.close();
        }
    }

    private KeyMap<Key> keys() {
        KeyMap<Key> k = new KeyMap<>();
        k.bind(Key.next, "n", " ", "l", KeyMap.key(terminal, Capability.key_right));
        k.bind(Key.previous, "p", "h", "b", KeyMap.key(terminal, Capability.key_left));
        k.bind(Key.first, "<", KeyMap.key(terminal, Capability.key_home));
        k.bind(Key.last, ">", KeyMap.key(terminal, Capability.key_end));
        k.bind(Key.jump, "g", ":");
        k.bind(Key.follow, "c");
        k.bind(Key.touchNext, "]");
        k.bind(Key.touchPrevious, "[");
        k.bind(Key.back, "r");
        k.bind(Key.forward, "f");
        k.bind(Key.tab, "\t");
        k.bind(Key.down, "j", KeyMap.key(terminal, Capability.key_down));
        k.bind(Key.up, "k", KeyMap.key(terminal, Capability.key_up));
        k.bind(Key.pageDown, KeyMap.key(terminal, Capability.key_npage));
        k.bind(Key.pageUp, KeyMap.key(terminal, Capability.key_ppage));
        k.bind(Key.quit, "q", KeyMap.ctrl('C'), KeyMap.ctrl('D'));
        k.bind(Key.redraw, KeyMap.ctrl('L'));
        k.setNomatch(Key.other);
        k.setAmbiguousTimeout(150);
        return k;
    }

    private void loop(KeyMap<Key> keys) {
        BindingReader in = new BindingReader(terminal.reader());
        draw();
        while (true) {
            Key key = in.readBinding(keys);
            if (key == null || key == Key.quit) {
                return;
            }
            switch (key) {
                case next -> explorer.next();
                case previous -> explorer.previous();
                case first -> explorer.jump("0");
                case last -> explorer.jump(String.valueOf(explorer.steps()));
                case jump -> ask(in, "go to step: ", explorer::jump);
                case follow -> ask(in, "follow chunk (address or pointer): ", explorer::follow);
                case touchNext -> explorer.nextTouch(1);
                case touchPrevious -> explorer.nextTouch(-1);
                case back -> ask(in, "run back to the last change of (bin, chunk address, @address; Enter: the last one): ",
                        t -> explorer.runTo(t, -1));
                case forward -> ask(in, "run forward to the next change of (bin, chunk address, @address; Enter: the last one): ",
                        t -> explorer.runTo(t, 1));
                case tab -> explorer.cycleFocus();
                case down -> explorer.scrollFocused(1);
                case up -> explorer.scrollFocused(-1);
                case pageDown -> explorer.scrollFocused(10);
                case pageUp -> explorer.scrollFocused(-10);
                case redraw -> {
                    synchronized (lock) {
                        display.clear();
                    }
                }
                default -> explorer.say("no key " + printable(in.getLastBinding()) + ": " + Screen.KEYS);
            }
            draw();
        }
    }

    private static String printable(String key) {
        StringBuilder b = new StringBuilder();
        for (char c : (key == null ? "" : key).toCharArray()) {
            b.append(c < 32 || c == 127 ? "^" + (char) (c ^ 64) : String.valueOf(c));
        }
        return "'" + b + "'";
    }

    /** Reads one line on the bottom row (Enter takes it, Escape or Ctrl-C drops it) and hands it on. */
    private void ask(BindingReader in, String question, java.util.function.Consumer<String> then) {
        StringBuilder typed = new StringBuilder();
        while (true) {
            prompt = question + typed;
            draw();
            int c = in.readCharacter();
            if (c == -1 || c == 27 || c == 3) {
                prompt = null;
                explorer.say("");
                return;
            }
            if (c == '\r' || c == '\n') {
                prompt = null;
                explorer.say("working…");
                draw();
                then.accept(typed.toString());
                return;
            }
            if (c == 127 || c == 8) {
                if (typed.length() > 0) {
                    typed.setLength(typed.length() - 1);
                }
            } else if (c >= 32) {
                typed.appendCodePoint(c);
            }
        }
    }

    private void draw() {
        synchronized (lock) {
            Size size = terminal.getSize();
            int rows = size.getRows() > 0 ? size.getRows() : 24;
            int cols = size.getColumns() > 0 ? size.getColumns() : 80;
            display.resize(rows, cols);
            List<AttributedString> lines = new ArrayList<>();
            // the last column stays free: writing it makes some terminals wrap
            for (Screen.Row r : Screen.compose(explorer, cols - 1, rows, prompt)) {
                AttributedStyle st = switch (r.kind()) {
                    case title -> AttributedStyle.INVERSE;
                    case header -> AttributedStyle.BOLD;
                    case message -> AttributedStyle.DEFAULT.foreground(AttributedStyle.YELLOW);
                    case keys -> AttributedStyle.DEFAULT.faint();
                    case text -> AttributedStyle.DEFAULT;
                };
                lines.add(new AttributedString(r.text(), st));
            }
            int cursorRow = lines.size() - 1;
            int cursorCol = prompt == null ? 0 : Math.min(cols - 2, prompt.length());
            terminal.puts(prompt == null ? Capability.cursor_invisible : Capability.cursor_visible);
            display.update(lines, size.cursorPos(cursorRow, cursorCol));
            terminal.flush();
        }
    }
}
