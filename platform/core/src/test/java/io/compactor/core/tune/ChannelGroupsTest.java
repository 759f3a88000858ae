package io.compactor.core.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.compactor.onnx.fixtures.TestModels;
import io.compactor.onnx.graph.OnnxModel;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChannelGroupsTest {
  @Test
  void residualPartnersFormOneGroupThroughBatchNormAndRelu() {
    OnnxModel m = TestModels.residualCnn(3, false);
    // conv2's output is added to relu(bn(conv1)): their channels must be pruned together; fc stands alone
    assertEquals(List.of(List.of("conv1", "conv2"), List.of("fc")),
        ChannelGroups.of(m.graph(), List.of("conv1", "conv2", "fc")));
  }

  @Test
  void withoutTheMergeEveryProducerIsItsOwnGroup() {
    OnnxModel m = TestModels.residualCnn(3, false);
    m.graph().removeNode(m.graph().node("add").orElseThrow());
    m.graph().node("relu2").orElseThrow().setInput(0, "conv2.out");
    assertEquals(List.of(List.of("conv1"), List.of("conv2"), List.of("fc")),
        ChannelGroups.of(m.graph(), List.of("conv1", "conv2", "fc")));
  }
}
