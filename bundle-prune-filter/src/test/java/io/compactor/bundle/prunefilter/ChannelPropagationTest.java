package io.compactor.bundle.prunefilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.bundle.prunefilter.GroupMember.Role;
import io.compactor.onnx.graph.OnnxModel;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChannelPropagationTest {
  private static ChannelGroup groupOf(List<ChannelGroup> groups, String producer) {
    return groups.stream().filter(g -> g.producers().contains(producer)).findFirst().orElseThrow();
  }

  private static List<Cut> cuts(ChannelGroup g, String node, Role role) {
    return g.members().stream().filter(m -> m.node().equals(node) && m.role() == role)
        .flatMap(m -> m.cuts().stream()).toList();
  }

  @Test
  void aResidualAddMergesItsProducersAndTheGroupReachesBatchNormDepthwiseAndTheNextConv() {
    List<ChannelGroup> groups = ChannelPropagation.analyse(PruneModels.residual(1));
    ChannelGroup merged = groupOf(groups, "c1");
    assertEquals(List.of("c1", "c3"), merged.producers());
    assertTrue(merged.prunable(), merged.blocked().toString());
    assertEquals(8, merged.width());
    assertEquals(List.of(Cut.of("bn.scale", 0), Cut.of("bn.bias", 0), Cut.of("bn.mean", 0), Cut.of("bn.var", 0)),
        cuts(merged, "bn", Role.NORMALIZATION));
    assertEquals(List.of(Cut.of("dw.w", 0), Cut.of("dw.b", 0)), cuts(merged, "dw", Role.DEPTHWISE));
    assertEquals(List.of("c2", "c4"), merged.consumers());
    assertEquals(List.of(Cut.of("c1.w", 0), Cut.of("c1.b", 0)), cuts(merged, "c1", Role.PRODUCER));
    assertEquals(List.of(Cut.of("c3.w", 0), Cut.of("c3.b", 0)), cuts(merged, "c3", Role.PRODUCER));

    ChannelGroup inner = groupOf(groups, "c2");
    assertEquals(List.of("c3"), inner.consumers());
    assertEquals(List.of(Cut.of("c3.w", 1)), cuts(inner, "c3", Role.CONSUMER));

    ChannelGroup head = groupOf(groups, "c4");
    assertEquals(List.of(Cut.of("fc.w", 1)), cuts(head, "fc", Role.CONSUMER), "Flatten after a global pool "
        + "leaves one entry per channel");
    assertEquals(4, groups.size(), groups.toString());
  }

  @Test
  void aGroupThatReachesTheGraphOutputIsBlocked() {
    ChannelGroup last = groupOf(ChannelPropagation.analyse(PruneModels.residual(1)), "fc");
    assertEquals(List.of("its channels reach the graph output 'y', whose shape must stay"), last.blocked());
  }

  @Test
  void concatShiftsEachInputByTheChannelsBeforeItAndFlattenFoldsSpaceIntoTheGemm() {
    List<ChannelGroup> groups = ChannelPropagation.analyse(PruneModels.concat(2));
    assertEquals(List.of(new Cut("c.w", 1, 0, 1)), cuts(groupOf(groups, "a"), "c", Role.CONSUMER));
    assertEquals(List.of(new Cut("c.w", 1, 6, 1)), cuts(groupOf(groups, "b"), "c", Role.CONSUMER));
    assertEquals(List.of(new Cut("fc.w", 0, 0, 16)), cuts(groupOf(groups, "c"), "fc", Role.CONSUMER),
        "8 channels of 4x4 flattened into K = 128 of a Gemm without transB");
    assertTrue(groupOf(groups, "a").prunable() && groupOf(groups, "b").prunable() && groupOf(groups, "c").prunable());
  }

  @Test
  void anUnknownOpBlocksTheGroupAndNamesItself() {
    ChannelGroup g = groupOf(ChannelPropagation.analyse(PruneModels.through(3, "LRN")), "a");
    assertEquals(List.of("stopped at LRN 'mid': op LRN is not known to keep channels independent"), g.blocked());
  }

  @Test
  void aChannelIndependentOpPassesTheChannelsOn() {
    for (String op : List.of("Relu", "Sigmoid", "HardSigmoid", "MaxPool", "Identity")) {
      OnnxModel m = PruneModels.through(3, op);
      if (op.equals("MaxPool")) {
        m.graph().node("mid").orElseThrow().setAttr("kernel_shape", new long[] {1, 1});
      }
      ChannelGroup g = groupOf(ChannelPropagation.analyse(m), "a");
      assertTrue(g.prunable(), op + ": " + g.blocked());
      assertEquals(List.of("b"), g.consumers(), op);
    }
  }

  @Test
  void softmaxOverTheChannelAxisBlocksButOverSpaceDoesNot() {
    OnnxModel channels = PruneModels.through(3, "Softmax");
    channels.graph().node("mid").orElseThrow().setAttr("axis", 1L);
    assertTrue(groupOf(ChannelPropagation.analyse(channels), "a").blocked().get(0).contains("channel axis"));
    OnnxModel space = PruneModels.through(3, "Softmax");
    assertTrue(groupOf(ChannelPropagation.analyse(space), "a").prunable(), "default axis -1 is the width axis");
  }

  @Test
  void aGroupedConvolutionConsumesTheChannelsAndAsksForBalance() {
    ChannelGroup g = groupOf(ChannelPropagation.analyse(PruneModels.grouped(5)), "a");
    assertTrue(g.prunable(), g.blocked().toString());
    assertEquals(2, g.balance());
    assertEquals(List.of(new Cut("gc.w", 1, 0, 1, 2)), cuts(g, "gc", Role.CONSUMER));
  }

  @Test
  void aMatMulBiasAddShrinksWithItsFeatures() {
    ChannelGroup g = groupOf(ChannelPropagation.analyse(PruneModels.feedForward(4)), "m1");
    assertTrue(g.prunable(), g.blocked().toString());
    assertEquals(List.of(Cut.of("m1.b", 0)), cuts(g, "m1.add", Role.CHANNEL_CONSTANT));
    assertEquals(List.of(Cut.of("m2.w", 0)), cuts(g, "m2", Role.CONSUMER));
  }
}
