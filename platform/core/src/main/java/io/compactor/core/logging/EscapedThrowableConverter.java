package io.compactor.core.logging;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import java.util.Arrays;

/**
 * {@code %ex}: the stack trace as logback prints it (one frame a line), with control characters escaped in
 * each exception's message, which often carries input (a path, a record key).
 */
public final class EscapedThrowableConverter extends ThrowableProxyConverter {
  @Override
  protected String throwableProxyToString(IThrowableProxy tp) {
    return super.throwableProxyToString(new Escaped(tp));
  }

  /** A view of a throwable whose messages, and its causes' and suppressed ones', are escaped. */
  private record Escaped(IThrowableProxy tp) implements IThrowableProxy {
    @Override
    public String getMessage() {
      return ControlCharacters.escape(tp.getMessage());
    }

    @Override
    public String getClassName() {
      return tp.getClassName();
    }

    @Override
    public StackTraceElementProxy[] getStackTraceElementProxyArray() {
      return tp.getStackTraceElementProxyArray();
    }

    @Override
    public int getCommonFrames() {
      return tp.getCommonFrames();
    }

    @Override
    public IThrowableProxy getCause() {
      return tp.getCause() == null ? null : new Escaped(tp.getCause());
    }

    @Override
    public IThrowableProxy[] getSuppressed() {
      return tp.getSuppressed() == null ? null
          : Arrays.stream(tp.getSuppressed()).map(Escaped::new).toArray(IThrowableProxy[]::new);
    }

    @Override
    public boolean isCyclic() {
      return tp.isCyclic();
    }
  }
}
